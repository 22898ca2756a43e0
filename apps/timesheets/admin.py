from __future__ import annotations

from django.contrib import admin

from apps.sync.admin_base import SyncedModelAdmin
from apps.timesheets.models import Timesheet


@admin.register(Timesheet)
class TimesheetAdmin(SyncedModelAdmin):
    list_display = ("date", "worker", "site", "hours", "work_specification")
    list_filter = ("date", "site", "worker")
    date_hierarchy = "date"
    search_fields = ("site", "note", "worker__username", "worker__full_name")
    list_select_related = ("worker", "work_specification")
    fields = ("date", "worker", "site", "hours", "work_specification", "note")
