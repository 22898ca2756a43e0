"""Prepared statements run for many rows, on the paths an exchange takes for every record.

Django's PostgreSQL backend binds parameters on the client: each value is quoted into the
statement text by Python code, which for a thousand history rows of fifteen columns costs
more than the database's own work. ``executemany`` here sends the statement once and the
rows as parameters of the same connection and transaction (psycopg's server-side binding,
values dumped by its C extension, pipelined). SQLite's driver already does this.
"""
from __future__ import annotations

from collections.abc import Sequence

from django.db import connections


def executemany(using: str, sql: str, rows: Sequence[Sequence[object]]) -> None:
    """Run ``sql`` (``%s`` placeholders) once per row, in the current transaction."""
    if not rows:
        return
    connection = connections[using]
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.executemany(sql, rows)
        return
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
