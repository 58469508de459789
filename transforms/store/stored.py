"""Reading back what earlier runs stored for one account: for the guard, folds and feeds.

Only the account's own rows are read (a filter on its partition column), and only the columns
asked for. A file that cannot be read is an ``OutputError`` naming it: ``--full`` rebuilds it.
Either layout is read (``transforms.read.dataset`` prefers an account's ``table``-layout files
where a Hive folder of it is left too).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from transforms.errors import OutputError
from transforms.read import dataset
from transforms.schemas import Registry
from transforms.store import layout
from transforms.store.target import Target


def read_stored(target: Target, name: str, existing: bool,
                columns: list[str] | None = None) -> pa.Table | None:
    """This account's stored rows of one table (only ``columns`` when given)."""
    if not existing:
        return None
    try:
        found = dataset(target.tree, target.api, name)
        wanted = None if columns is None else [c for c in columns if c in found.schema.names]
        return found.to_table(columns=wanted,
                              filter=ds.field(target.account_column) == target.account)
    except (pa.ArrowException, OSError) as exc:
        raise unreadable(target.tree.show(target.api, name), exc) from None


def stored_columns(target: Target, registry: Registry, name: str,
                   columns: list[str]) -> pa.Table | None:
    """Some columns of one stored table of this account (for a feed's change checks)."""
    if name not in registry:
        return None
    files = layout.account_files(target.tree, target.api, name, target.account_column,
                                 target.account)
    return read_stored(target, name, bool(files), columns)


def check_stored(target: Target, registry: Registry) -> None:
    """Before an incremental run folds into them: every stored file of this account opens.

    A footer read per file (cheap); a damaged one stops the run before any request with one
    line naming it, as nothing can be folded into rows that cannot be read. ``--full``
    rewrites it from the API.
    """
    tree = target.tree
    for spec in registry.values():
        for parts in layout.account_files(tree, target.api, spec.name, target.account_column,
                                          target.account):
            try:
                with tree.fs.open_input_file(tree.path(*parts)) as handle:
                    pq.read_metadata(handle)
            except (pa.ArrowException, OSError) as exc:
                raise unreadable(tree.show(*parts), exc) from None


def unreadable(shown: str, exc: BaseException) -> OutputError:
    reason = " ".join(str(exc).split())[:160]
    return OutputError(f"stored file {shown} cannot be read ({reason}); run again with "
                       "--full to rebuild it from the API")
