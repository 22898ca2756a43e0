"""End-to-end tests: a real gunicorn server on the test database and desktop nodes on real
SQLite files, driven through the client's own code — ``python -m desktop_client`` as a
separate process, and the services and sync engine in this process over real HTTP.

After everyone has synced, a node's ``export`` must equal the server's records as the
server renders them from its change log (``tests/e2e/office.py: server_records``).
"""
