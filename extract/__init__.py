"""Fetch: the endpoint catalogs, the crawl, HTTP, auth and the export command.

Importing the package first tunes the allocators (``extract.memory``), which only works
before pyarrow is loaded; the command-line entry point imports this package first.
"""

from extract.memory import tune

tune()
