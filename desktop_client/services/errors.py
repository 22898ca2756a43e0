"""Errors the window shows to the user when a service cannot do what was asked."""
from __future__ import annotations

from desktop_client.store.record_data import InvalidRecordData

__all__ = ["InvalidRecordData", "NotFound", "ReadOnlyRecordType", "RecordChanged", "UnknownRecordType"]


class NotFound(LookupError):
    """The record, conflict or rejection asked for is not (or no longer) on this computer."""


class UnknownRecordType(ValueError):
    """A record type that is not in the protocol's catalogue."""


class ReadOnlyRecordType(ValueError):
    """A record type nodes receive but may not change (users)."""


class RecordChanged(Exception):
    """The record changed (a sync, or another window) after the form showing it was
    filled; saving would overwrite what the user has not seen."""
