"""Fetch: the family catalogs, the crawl, HTTP and auth, the export pipeline and the CLI.

The console script enters through ``extract.main``, which tunes the allocators first.
"""
