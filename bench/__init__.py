"""Benchmarks of basecamp-extract against the local sandbox and peer tools (``python -m bench``).

Not part of the installed package: run from the repository root. See ``bench/README.md``.
"""
