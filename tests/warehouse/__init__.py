"""Loading an export into DuckDB and PostgreSQL: types, keys, idempotent merge, drift, failures.

Every warehouse test runs against DuckDB and, when ``BASECAMP_TEST_POSTGRES_URL`` is set (CI
sets it), against that PostgreSQL database too; each PostgreSQL test drops schema ``bc2`` there
first, so point the variable at a database meant for tests.
"""
