"""Raw records -> typed Arrow -> Parquet, and back out: ``from transforms import open_export``.

``open_export`` is resolved lazily so that importing a low-level module (``transforms.schemas``,
which ``extract`` needs) never drags in DuckDB and pandas or closes an import cycle.
"""

from __future__ import annotations

from typing import Any

__all__ = ["open_export"]


def __getattr__(name: str) -> Any:
    if name == "open_export":
        from transforms.notebook import open_export

        return open_export
    raise AttributeError(f"module 'transforms' has no attribute {name!r}")
