"""The registry of synced models.

Each domain app states what it syncs in its own ``sync.py``::

    from apps import sync
    sync.register(Estimate, type_name="estimate", lines=sync.Lines(EstimateLine, parent_field="estimate"))

The sync engine learns every synced model from here and never imports a domain app.
Wire fields come from ``sync_protocol``'s catalogue; a model field carries the same name
as its wire field (a reference is a ``ForeignKey`` of that name). System checks in
``apps.sync.checks`` verify that each registration agrees with the catalogue.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sync_protocol import catalogue

if TYPE_CHECKING:
    from django.db import models

CONFLICT_POLICIES = ("server_wins", "node_wins")


class RegistrationError(Exception):
    """A model was registered twice, or unregistered without being registered."""


@dataclass(frozen=True)
class Lines:
    """Lines of a synced record: rows of ``model`` that live only inside their parent."""

    model: type[models.Model]
    parent_field: str
    related_name: str = "lines"
    ordering: tuple[str, ...] = ()


@dataclass(frozen=True)
class SyncOptions:
    model: type[models.Model]
    type_name: str
    lines: Lines | None = None
    conflict_policy: str = "server_wins"
    record_type: catalogue.RecordType = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "record_type", catalogue.get(self.type_name))

    @property
    def read_only(self) -> bool:
        return self.record_type.read_only


_by_model: dict[tuple[str, str], SyncOptions] = {}
_by_type: dict[str, SyncOptions] = {}
_line_parents: dict[tuple[str, str], SyncOptions] = {}


def _key(model: type[models.Model]) -> tuple[str, str]:
    return (model._meta.app_label, model._meta.model_name)


def register(
    model: type[models.Model] | None = None,
    *,
    type_name: str,
    lines: Lines | None = None,
    conflict_policy: str = "server_wins",
):
    """Register ``model`` as the synced record type ``type_name``.

    Usable as a call, ``register(Model, type_name=...)``, or as a class decorator,
    ``@register(type_name=...)``.
    """

    def do_register(model_class: type[models.Model]) -> type[models.Model]:
        if conflict_policy not in CONFLICT_POLICIES:
            raise RegistrationError(f"Unknown conflict policy {conflict_policy!r}.")
        if catalogue.find(type_name) is None:
            raise RegistrationError(f"{type_name!r} is not a record type of the protocol catalogue.")
        if _key(model_class) in _by_model:
            raise RegistrationError(f"{model_class._meta.label} is already registered for sync.")
        if type_name in _by_type:
            raise RegistrationError(f"Record type {type_name!r} is already registered.")
        options = SyncOptions(model=model_class, type_name=type_name, lines=lines, conflict_policy=conflict_policy)
        _by_model[_key(model_class)] = options
        _by_type[type_name] = options
        if lines is not None:
            _line_parents[_key(lines.model)] = options
        return model_class

    if model is None:
        return do_register
    return do_register(model)


def unregister(model: type[models.Model]) -> None:
    options = _by_model.pop(_key(model), None)
    if options is None:
        raise RegistrationError(f"{model._meta.label} is not registered for sync.")
    del _by_type[options.type_name]
    if options.lines is not None:
        _line_parents.pop(_key(options.lines.model), None)


def is_registered(model: type[models.Model]) -> bool:
    return _key(model) in _by_model


def options_for(model: type[models.Model]) -> SyncOptions | None:
    """Options of a registered record model, or None."""
    return _by_model.get(_key(model))


def parent_options_for_line(model: type[models.Model]) -> SyncOptions | None:
    """Options of the record type whose lines ``model`` holds, or None."""
    return _line_parents.get(_key(model))


def options_for_type(type_name: str) -> SyncOptions | None:
    return _by_type.get(type_name)


def all_options() -> list[SyncOptions]:
    return list(_by_type.values())
