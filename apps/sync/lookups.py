"""``field__any_of=values``: the rows whose field holds one of ``values``, like ``__in``.

An exchange looks up a thousand records by uuid at a time. Written as ``IN (%s, %s, ...)``
such a lookup costs Python time three times over: Django prepares each value, the driver
splits a statement of a thousand placeholders and dumps each parameter. On PostgreSQL
``any_of`` is ``field = ANY(%s::type[])`` with the values as one array parameter written
out by ``bulk_sql.array_text``; elsewhere it is ``__in`` itself.
"""
from __future__ import annotations

import re

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Model
from django.db.models.lookups import In

from apps.sync import bulk_sql


@Field.register_lookup
@ForeignObject.register_lookup
class AnyOf(In):
    lookup_name = "any_of"

    def get_prep_lookup(self):
        if hasattr(self.rhs, "resolve_expression"):
            return super().get_prep_lookup()  # a subquery: as __in has it
        # Prepared in as_sql, which knows the database; a reference's values may be records.
        return [value.pk if isinstance(value, Model) else value for value in self.rhs]

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql" or hasattr(self.rhs, "resolve_expression"):
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        field = self.lhs.output_field
        prepare = bulk_sql.value_preparer(field, connection)
        values = [prepare(value) for value in self.rhs if value is not None]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # The column's type without its size (varchar(50) -> varchar, numeric(14, 2) ->
        # numeric): a cast to the sized type would cut or round the values compared.
        element_type = re.sub(r"\(.*?\)", "", field.db_type(connection)).strip()
        return f"{lhs} = ANY(%s::{element_type}[])", [*lhs_params, bulk_sql.array_text(values)]
