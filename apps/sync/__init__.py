"""The sync engine. Domain apps use only what this module exports:

- ``SyncedModel``: the base of every synced table (uuid, updated_at, is_deleted, soft delete)
- ``LiveManager`` / ``AllRecordsManager``: its managers, for models that need their own
- ``register`` / ``unregister`` / ``Lines``: opting a model into sync, in the app's ``sync.py``
- ``apps.sync.admin_base.SyncedModelAdmin``: the admin base for synced models
"""
from apps.sync.registry import Lines, register, unregister

_LAZY_MODELS = {"SyncedModel", "SyncedQuerySet", "LiveManager", "AllRecordsManager"}

__all__ = ["Lines", "register", "unregister", *sorted(_LAZY_MODELS)]


def __getattr__(name: str):
    # Model classes can only be imported once Django's app registry is loading models.
    if name in _LAZY_MODELS:
        from apps.sync import models

        return getattr(models, name)
    raise AttributeError(name)
