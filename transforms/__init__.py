"""Raw records -> typed Arrow -> Parquet, and back out (``transforms.notebook.open_export``).

The package re-exports nothing: importing a low-level module (``transforms.schemas``, which the
CLI loads on every start) must not drag in DuckDB and pandas.
"""
