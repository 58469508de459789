"""Storing a run's rows next to earlier ones: one small module per job.

``target`` (where an account's output lives and what storing needs to know), ``partitions``
(a full run's partitions replaced or kept), ``table_guard`` and ``guard`` (the shrink guard),
``fold`` (an incremental run folded in by key), ``rejects``, ``stored`` (reading back),
``manifest`` (what a run did) and ``state`` (bookmarks and the last run).
"""
