"""Statements run for many rows, on the paths an exchange takes for every record.

Django's PostgreSQL backend binds parameters on the client: each value is quoted into the
statement text by Python code, and a thousand rows written one statement each cost the
database a thousand statements. On PostgreSQL these helpers send the rows as parameters
of the same connection and transaction (psycopg's server-side binding, values dumped by
its C extension): inserts as one ``COPY``, updates and upserts as one statement over
``unnest`` of one array per column. On SQLite, whose driver runs a prepared statement
for every row in C, they use ``executemany``.
"""
from __future__ import annotations

import datetime as dt
import decimal
import itertools
import uuid
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections

# Below this many rows one statement per row costs no more than building the arrays.
_ARRAYS_FROM = 20


def _psycopg_cursor(using: str):
    import psycopg

    connection = connections[using]
    # Capture's notes go first, as the backend's execute wrapper sends them before Django's cursors run.
    state = getattr(connection, "sync_capture", None)
    if state is not None:
        state.before_statement(using)
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def is_postgresql(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def executemany(using: str, sql: str, rows: Sequence[Sequence[object]]) -> None:
    """Run ``sql`` (``%s`` placeholders) once per row, in the current transaction."""
    if not rows:
        return
    if is_postgresql(using) and len(rows) > 1:
        with _psycopg_cursor(using) as cursor:
            cursor.executemany(sql, rows)
        return
    with connections[using].cursor() as cursor:  # one row (a single save): the plain way is quickest
        cursor.executemany(sql, rows)


def insert_rows(using: str, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Insert ``rows`` (values prepared for the database, in ``columns`` order)."""
    if not rows:
        return
    quote = connections[using].ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    if is_postgresql(using):
        with _psycopg_cursor(using) as cursor, cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    executemany(using, f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


def update_rows(
    using: str, table: str, columns: Sequence[tuple[str, str]], key: tuple[str, str], rows: Sequence[Sequence[object]]
) -> None:
    """``UPDATE table SET column = value, ... WHERE key = key value`` for every row of
    ``rows`` (the columns' values in order, then the key's). Columns and key are
    ``(column, database type)`` pairs; the types type PostgreSQL's arrays."""
    if not rows:
        return
    quote = connections[using].ops.quote_name
    if not is_postgresql(using) or len(rows) < _ARRAYS_FROM:
        assignments = ", ".join(f"{quote(column)} = %s" for column, _type in columns)
        executemany(using, f"UPDATE {quote(table)} SET {assignments} WHERE {quote(key[0])} = %s", rows)
        return
    typed = [*columns, key]
    names = [f"c{index}" for index in range(len(typed))]
    assignments = ", ".join(f"{quote(column)} = v.{name}" for (column, _type), name in zip(columns, names))
    sql = (
        f"UPDATE {quote(table)} SET {assignments} FROM {unnest(typed)} AS v({', '.join(names)}) "
        f"WHERE {quote(table)}.{quote(key[0])} = v.{names[-1]}"
    )
    with _psycopg_cursor(using) as cursor:
        cursor.execute(sql, arrays(rows))


def unnest(typed_columns: Sequence[tuple[str, str]]) -> str:
    """``unnest(%s::type[], ...)``: rows from one array parameter per column (PostgreSQL)."""
    return "unnest(" + ", ".join(f"%s::{db_type}[]" for _column, db_type in typed_columns) + ")"


def arrays(rows: Sequence[Sequence[object]]) -> list[object]:
    """Rows turned into one array per column, the parameters of ``unnest``: each written
    out as PostgreSQL's array text (``{1,2,NULL}``), which the statement casts to the
    column's array type. The driver would take the lists as they are, but dumps them
    element by element in Python, several times slower; a column holding a value of a
    type not written out here goes to the driver as a list."""
    return [array_text(column) for column in zip(*rows)]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quoted_str_subclass(value: str) -> str:
    return _quoted(str.__str__(value))


def _iso(value) -> str:
    return value.isoformat()


# How each type's values are written inside an array's text: every string quoted (so
# "NULL", braces, commas and spaces stay text), the rest in the form PostgreSQL reads.
_ARRAY_ITEM: dict[type, Callable[[object], str]] = {
    str: _quoted, int: str, decimal.Decimal: str, uuid.UUID: str,
    bool: lambda value: "t" if value else "f", dt.date: _iso, dt.datetime: _iso,
}


def array_text(column: Sequence[object]) -> object:
    """``column`` as PostgreSQL array text (a list when it holds a type not written out here)."""
    items = []
    for value in column:
        if value is None:
            items.append("NULL")
            continue
        write = _ARRAY_ITEM.get(value.__class__)
        if write is None:
            if not isinstance(value, str):
                return list(column)
            write = _quoted_str_subclass  # text choices and the like: their plain text
        items.append(write(value))
    return "{" + ",".join(items) + "}"


def run_on_arrays(using: str, sql: str, rows: Sequence[Sequence[object]]) -> None:
    """Run ``sql``, which reads the rows from ``unnest`` (PostgreSQL only)."""
    with _psycopg_cursor(using) as cursor:
        cursor.execute(sql, arrays(rows))


# Python values PostgreSQL's driver takes as they are, by field type: for these
# ``get_db_prep_save`` returns the value unchanged on PostgreSQL, and skipping it for a
# thousand rows of a dozen columns is a measurable part of an exchange.
_AS_IS_ON_POSTGRESQL = {
    "CharField": (str,), "TextField": (str,), "SlugField": (str,), "EmailField": (str,),
    # Not the other integer fields: Django hands those over typed (Int2, Int4, Int8).
    "IntegerField": (int,), "AutoField": (int,), "BigAutoField": (int,), "ForeignKey": (int,),
    "BooleanField": (bool,), "DecimalField": (decimal.Decimal,), "DateField": (dt.date,),
    "DateTimeField": (dt.datetime,), "UUIDField": (uuid.UUID,),
}


def value_preparer(field, connection) -> Callable[[object], object]:
    """``lambda value: field.get_db_prep_save(value, connection)``, skipping the call for
    values the database driver takes as they are, and on SQLite preparing uuids, dates and
    aware datetimes the way Django's SQLite backend does, without its generic path."""
    prepare = field.get_db_prep_save
    internal = field.get_internal_type()
    if internal == "ForeignKey":
        internal = field.target_field.get_internal_type()
        internal = "ForeignKey" if internal in ("AutoField", "BigAutoField", "IntegerField") else internal
    if connection.vendor == "sqlite":
        return _sqlite_preparer(internal, prepare, connection)
    if connection.vendor != "postgresql":
        return lambda value: prepare(value, connection)
    kinds = _AS_IS_ON_POSTGRESQL.get(internal)
    if kinds is None:
        return lambda value: prepare(value, connection)
    if internal == "DateTimeField":
        return lambda value: (value if value is None or (value.__class__ is dt.datetime and value.tzinfo is not None)
                              else prepare(value, connection))
    return lambda value: value if value is None or value.__class__ in kinds else prepare(value, connection)


def _sqlite_preparer(internal: str, prepare, connection) -> Callable[[object], object]:
    """Django's SQLite backend keeps a uuid as its 32 hex digits, a date as its ISO text and
    an aware datetime as naive text in the connection's time zone (UTC); text, whole
    numbers and booleans go to the driver as they are. Other values and types take
    Django's own path."""
    if internal == "UUIDField":
        return lambda value: value.hex if value.__class__ is uuid.UUID else prepare(value, connection)
    if internal == "DateField":
        return lambda value: value.isoformat() if value.__class__ is dt.date else prepare(value, connection)
    if internal == "DateTimeField" and settings.USE_TZ:
        zone = connection.timezone

        def prepare_datetime(value):
            if value.__class__ is dt.datetime and value.tzinfo is not None:
                return str(value.astimezone(zone).replace(tzinfo=None))
            return prepare(value, connection)

        return prepare_datetime
    kinds = _AS_IS_ON_POSTGRESQL.get(internal)
    if kinds is None or internal in ("DecimalField", "DateField", "DateTimeField", "UUIDField"):
        return lambda value: prepare(value, connection)
    return lambda value: value if value is None or value.__class__ in kinds else prepare(value, connection)


def rows_of(queryset, *, uuids_as_text: bool = False) -> list[tuple]:
    """The rows of a ``values_list()`` queryset as tuples. On PostgreSQL its statement is
    run with server-side binding (parameters dumped by the driver in C) and rows come
    as the driver loads them, which for the field types of synced models (text, numbers,
    decimals, dates, aware datetimes, uuids) is what Django would return.

    ``uuids_as_text``: uuid columns come as their text (lower case, with hyphens: what
    ``str()`` of the UUID gives), for callers that only write them out."""
    if not is_postgresql(queryset.db):
        return _rows_with_uuids_as_text(queryset) if uuids_as_text else list(queryset)
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # e.g. ``pk__in=[]``: Django answers such a queryset without asking
        return []
    with _psycopg_cursor(queryset.db) as cursor:
        _timestamps_loaded_in_c(cursor)
        if uuids_as_text:
            from psycopg.types.string import TextLoader

            cursor.adapters.register_loader("uuid", TextLoader)
        cursor.execute(sql, params)
        return cursor.fetchall()


def _rows_with_uuids_as_text(queryset) -> list[tuple]:
    """Django's own reading of a ``values_list()`` queryset (SQLite keeps a uuid as 32 hex
    digits), with uuid columns written out as text directly instead of through a UUID object."""
    from django.db.models import UUIDField
    from django.db.models.sql.constants import MULTI

    compiler = queryset.query.get_compiler(queryset.db)
    try:
        results = compiler.execute_sql(MULTI)
    except EmptyResultSet:
        return []
    fields = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
    converters = compiler.get_converters(fields)
    for index, expression in enumerate(fields):
        if isinstance(expression.output_field, UUIDField):
            converters[index] = ([_uuid_hex_to_text], expression)
    rows = itertools.chain.from_iterable(results)
    return list(map(tuple, compiler.apply_converters(rows, converters) if converters else rows))


def _uuid_hex_to_text(value, expression, connection):
    if value is None:
        return None
    if len(value) != 32:  # not the stored form: leave it to the UUID type to read or refuse
        return str(uuid.UUID(value))
    value = value.lower()
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _timestamps_loaded_in_c(cursor) -> None:
    """Load ``timestamptz`` values with the driver's C loader rather than Django's, a Python
    subclass that sets Django's UTC object as each value's time zone. Django runs the
    session in UTC, for which the C loader gives the same values with the same
    ``datetime.timezone.utc`` (the rows test compares them with Django's own)."""
    from psycopg.types.datetime import TimestamptzLoader

    cursor.adapters.register_loader("timestamptz", TimestamptzLoader)


def instances_of(queryset) -> list:
    """The model instances of ``queryset``, as iterating it would give them, with their
    rows read through ``rows_of``. A model with a field Django converts on reading
    (``from_db_value``) is read by Django itself."""
    model = queryset.model
    fields = model._meta.concrete_fields
    if not is_postgresql(queryset.db) or any(hasattr(field, "from_db_value") for field in fields):
        return list(queryset)
    attnames = [field.attname for field in fields]
    return [model.from_db(queryset.db, attnames, row) for row in rows_of(queryset.values_list(*attnames))]
