"""The console entry point: tune the allocators before anything loads pyarrow, then run the CLI.

``extract.memory.tune`` only takes effect before pyarrow is first imported, so the CLI is
imported after it here; importing ``extract`` or ``transforms`` (a notebook does) tunes nothing.
"""

from __future__ import annotations

from extract.memory import tune


def main() -> None:
    tune()
    from extract.cli import main as cli

    cli()


if __name__ == "__main__":
    main()
