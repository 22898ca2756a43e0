"""Exit 0 when the PostgreSQL server of the URL given answers; otherwise say so loudly, exit 1."""
import sys

import psycopg

url = sys.argv[1]
try:
    # Connect to the maintenance database: the test database itself is created by the tests.
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=5) as connection:
        connection.execute("SELECT 1")
except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
    bar = "!" * 78
    print(f"\n{bar}\nPostgreSQL is NOT reachable at {url}:\n  {error}\n"
          "The PostgreSQL half of the test suite did NOT run. Start PostgreSQL or set TEST_DATABASE_URL.\n"
          f"{bar}\n", file=sys.stderr)
    sys.exit(1)
