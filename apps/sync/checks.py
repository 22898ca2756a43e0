"""System checks: every synced model agrees with the protocol catalogue and keeps history."""
from __future__ import annotations

from django.apps import apps as django_apps
from django.core import checks
from django.db import models

from apps.sync import registry
from sync_protocol import catalogue

_FIELD_CLASSES: dict[str, tuple[type[models.Field], ...]] = {
    catalogue.STRING: (models.CharField,),
    catalogue.TEXT: (models.TextField, models.CharField),
    catalogue.DECIMAL: (models.DecimalField,),
    catalogue.INTEGER: (models.IntegerField,),
    catalogue.BOOLEAN: (models.BooleanField,),
    catalogue.DATE: (models.DateField,),
    catalogue.CHOICE: (models.CharField,),
    catalogue.REF: (models.ForeignKey,),
}


def _field_errors(model: type[models.Model], wire_fields, where: str) -> list[checks.CheckMessage]:
    errors = []
    for wire in wire_fields:
        try:
            model_field = model._meta.get_field(wire.name)
        except Exception:
            errors.append(
                checks.Error(
                    f"{model._meta.label} has no field {wire.name!r} that the catalogue's {where} requires.",
                    obj=model,
                    id="sync.E001",
                )
            )
            continue
        expected = _FIELD_CLASSES[wire.kind]
        mismatch = not isinstance(model_field, expected) or (
            wire.kind == catalogue.DATE and isinstance(model_field, models.DateTimeField)
        )
        if not mismatch and wire.kind == catalogue.DECIMAL:
            mismatch = model_field.decimal_places != wire.decimal_places
        if not mismatch and wire.kind == catalogue.CHOICE:
            mismatch = tuple(value for value, _label in model_field.choices or ()) != wire.choices
        if not mismatch and wire.kind == catalogue.REF:
            target = registry.options_for(model_field.related_model)
            mismatch = target is None or target.type_name != wire.ref
        if not mismatch and wire.kind in (catalogue.STRING, catalogue.CHOICE):
            mismatch = (model_field.max_length or 0) < (wire.max_length or 0)
        if not mismatch:
            mismatch = bool(model_field.null) != bool(wire.null) and wire.kind == catalogue.REF
        if mismatch:
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{wire.name} does not match the catalogue's {where} "
                    f"field of kind {wire.kind!r}.",
                    obj=model,
                    id="sync.E002",
                )
            )
    return errors


@checks.register()
def check_synced_models(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from apps.sync.models import SyncedModel

    errors: list[checks.CheckMessage] = []
    for options in registry.all_options():
        model = options.model
        record_type = options.record_type
        errors += _field_errors(model, record_type.fields, f"type {record_type.name!r}")
        if record_type.has_lines != (options.lines is not None):
            errors.append(
                checks.Error(
                    f"{model._meta.label}: the catalogue's type {record_type.name!r} "
                    f"{'has' if record_type.has_lines else 'has no'} lines, the registration disagrees.",
                    obj=model,
                    id="sync.E003",
                )
            )
        if options.lines is not None and record_type.has_lines:
            errors += _field_errors(options.lines.model, record_type.line_fields, f"lines of {record_type.name!r}")
        for synced in [model] + ([options.lines.model] if options.lines else []):
            if not hasattr(synced, "history"):
                errors.append(
                    checks.Error(
                        f"{synced._meta.label} is synced but keeps no history (add HistoricalRecords()).",
                        obj=synced,
                        id="sync.E004",
                    )
                )
    registered_types = {options.type_name for options in registry.all_options()}
    for name in catalogue.type_names():
        if name not in registered_types:
            errors.append(
                checks.Error(f"No model is registered for the catalogue's record type {name!r}.", id="sync.E005")
            )
    for model in django_apps.get_models():
        if issubclass(model, SyncedModel) and not (
            registry.is_registered(model) or registry.parent_options_for_line(model)
        ):
            errors.append(
                checks.Error(
                    f"{model._meta.label} inherits SyncedModel but is registered neither as a record type "
                    "nor as lines: its changes would never sync.",
                    obj=model,
                    id="sync.E006",
                )
            )
    return errors
