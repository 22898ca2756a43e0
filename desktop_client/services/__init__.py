"""What the window (and the CLI) call: reading and editing records, conflicts and
rejections, status, import and export. No Qt, no HTTP; each call is one transaction."""
from desktop_client.services.errors import (
    InvalidRecordData,
    NotFound,
    ReadOnlyRecordType,
    RecordChanged,
    UnknownRecordType,
)
from desktop_client.services.records import (
    record_create,
    record_delete,
    record_get,
    record_list,
    record_update,
    record_validate,
)
from desktop_client.services.review import (
    conflict_keep_server,
    conflict_list,
    conflict_reapply_mine,
    rejection_discard,
    rejection_list,
    rejection_retry,
)
from desktop_client.services.status import SyncStatus, pending_change_count, sync_status
from desktop_client.services.transfer import (
    ImportProblem,
    ImportRejected,
    ImportReport,
    records_export,
    records_import,
)
from desktop_client.services.views import ConflictView, LineView, RecordView, RejectionView

__all__ = [
    "ConflictView",
    "ImportProblem",
    "ImportRejected",
    "ImportReport",
    "InvalidRecordData",
    "LineView",
    "NotFound",
    "ReadOnlyRecordType",
    "RecordChanged",
    "RecordView",
    "RejectionView",
    "SyncStatus",
    "UnknownRecordType",
    "conflict_keep_server",
    "conflict_list",
    "conflict_reapply_mine",
    "pending_change_count",
    "record_create",
    "record_delete",
    "record_get",
    "record_list",
    "record_update",
    "record_validate",
    "records_export",
    "records_import",
    "rejection_discard",
    "rejection_list",
    "rejection_retry",
    "sync_status",
]
