"""Issue 12 end to end: the console script against sandboxes behind a misbehaving proxy.

Each test is one case of the issue's list, asserted as the cross-helper contract states it
(exit code, one line and no traceback on stderr, stored rows unchanged or healed, nothing
fetched from or stored for another origin). One file per case; ``conftest.py`` holds the
shared accounts (one BC2 and one BC4 sandbox behind a ``HostileProxy``, and a calm export of
each, made once for the package; tests that need a first full export copy one), ``cases.py``
the helpers that run the CLI and read back what it stored. Tests that change the served
account start their own.
"""
