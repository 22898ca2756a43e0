"""What the window calls record types, fields and choices, in the window's language.

The texts are looked up at each call (not at import) so that they follow the language
installed when a screen is built.
"""
from __future__ import annotations

from desktop_client.qt import QCoreApplication

translate = QCoreApplication.translate


def record_type_label(record_type: str) -> str:
    labels = {
        "user": translate("RecordTypes", "User"),
        "work_specification": translate("RecordTypes", "Work item"),
        "estimate": translate("RecordTypes", "Estimate"),
        "daily_report": translate("RecordTypes", "Daily report"),
        "timesheet": translate("RecordTypes", "Timesheet"),
    }
    return labels.get(record_type, record_type)


def record_type_plural(record_type: str) -> str:
    labels = {
        "user": translate("RecordTypes", "Users"),
        "work_specification": translate("RecordTypes", "Work catalogue"),
        "estimate": translate("RecordTypes", "Estimates"),
        "daily_report": translate("RecordTypes", "Daily reports"),
        "timesheet": translate("RecordTypes", "Timesheets"),
    }
    return labels.get(record_type, record_type)


def new_record_title(record_type: str) -> str:
    labels = {
        "estimate": translate("RecordTypes", "New estimate"),
        "daily_report": translate("RecordTypes", "New daily report"),
        "timesheet": translate("RecordTypes", "New timesheet entry"),
        "work_specification": translate("RecordTypes", "New work item"),
    }
    return labels.get(record_type, record_type)


def field_label(name: str) -> str:
    """The label of a record's or a line's field, by wire name (the same name means the
    same thing in every record type)."""
    labels = {
        "username": translate("Fields", "Username"),
        "full_name": translate("Fields", "Full name"),
        "is_active": translate("Fields", "Active"),
        "code": translate("Fields", "Code"),
        "name": translate("Fields", "Name"),
        "unit": translate("Fields", "Unit"),
        "unit_price": translate("Fields", "Unit price"),
        "number": translate("Fields", "Number"),
        "title": translate("Fields", "Title"),
        "site": translate("Fields", "Site"),
        "date": translate("Fields", "Date"),
        "status": translate("Fields", "Status"),
        "author": translate("Fields", "Author"),
        "notes": translate("Fields", "Notes"),
        "worker": translate("Fields", "Worker"),
        "hours": translate("Fields", "Hours"),
        "work_specification": translate("Fields", "Work"),
        "note": translate("Fields", "Note"),
        "position": translate("Fields", "No."),
        "description": translate("Fields", "Description"),
        "quantity": translate("Fields", "Quantity"),
        "workers": translate("Fields", "Workers"),
        "lines": translate("Fields", "Lines"),
        "line_total": translate("Fields", "Total"),
        "man_hours": translate("Fields", "Man-hours"),
        "total": translate("Fields", "Total"),
        "id": translate("Fields", "Identifier"),
        "record": translate("Fields", "Record"),
        "__all__": translate("Fields", "Record"),
        "non_field_errors": translate("Fields", "Record"),
        "size": translate("Fields", "Size"),
    }
    return labels.get(name, name)


def estimate_status_label(status: str) -> str:
    labels = {
        "draft": translate("Fields", "Draft"),
        "approved": translate("Fields", "Approved"),
    }
    return labels.get(status, status)


def choice_label(field_name: str, value: str) -> str:
    if field_name == "status":
        return estimate_status_label(value)
    return value
