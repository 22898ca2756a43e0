"""What saving an editor does: create a record, update one, or send a rejected change
again. The editor dialog is the same for all three; these call the services."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from desktop_client import services
from desktop_client.services import InvalidRecordData, RecordView, RejectionView
from desktop_client.store import Store

Values = Mapping[str, Any]
Lines = Sequence[Mapping[str, Any]] | None


class Saver(Protocol):
    record_type: str
    record_id: str | None

    def save(self, store: Store, values: Values, lines: Lines, *, overwrite: bool = False) -> RecordView | None:
        """Raises ``InvalidRecordData``, ``RecordChanged`` (unless ``overwrite``), ``NotFound``."""
        ...

    def validate(self, store: Store, values: Values, lines: Lines) -> InvalidRecordData | None:
        ...


@dataclass(frozen=True)
class CreateRecord:
    record_type: str
    record_id: str | None = None

    def save(self, store: Store, values: Values, lines: Lines, *, overwrite: bool = False) -> RecordView:
        return services.record_create(store, record_type=self.record_type, values=values, lines=lines or ())

    def validate(self, store: Store, values: Values, lines: Lines) -> InvalidRecordData | None:
        return services.record_validate(store, record_type=self.record_type, values=values, lines=lines)


@dataclass(frozen=True)
class UpdateRecord:
    """Saves over the version the form was filled from, and only over that one: a sync
    that changed the record meanwhile raises ``RecordChanged`` until ``overwrite``."""

    original: RecordView

    @property
    def record_type(self) -> str:
        return self.original.type

    @property
    def record_id(self) -> str:
        return self.original.id

    def save(self, store: Store, values: Values, lines: Lines, *, overwrite: bool = False) -> RecordView:
        return services.record_update(
            store, record_type=self.record_type, record_id=self.record_id, values=values, lines=lines,
            expected_updated_at=None if overwrite else self.original.updated_at,
        )

    def validate(self, store: Store, values: Values, lines: Lines) -> InvalidRecordData | None:
        return services.record_validate(store, record_type=self.record_type, values=values, lines=lines,
                                        record_id=self.record_id)


@dataclass(frozen=True)
class RetryRejection:
    """Corrects a change the server rejected and sends it again."""

    rejection: RejectionView

    @property
    def record_type(self) -> str:
        return self.rejection.record_type

    @property
    def record_id(self) -> str:
        return self.rejection.record_id

    def save(self, store: Store, values: Values, lines: Lines, *, overwrite: bool = False) -> RecordView | None:
        return services.rejection_retry(store, rejection_id=self.rejection.id, values=values, lines=lines)

    def validate(self, store: Store, values: Values, lines: Lines) -> InvalidRecordData | None:
        try:
            return services.record_validate(store, record_type=self.record_type, values=values, lines=lines,
                                            record_id=self.record_id)
        except services.NotFound:  # a rejected creation that was since discarded elsewhere
            return services.record_validate(store, record_type=self.record_type, values=values, lines=lines)
