from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from apps.reports.models import DailyReport, DailyReportLine
from apps.sync.admin_base import SyncedModelAdmin


class DailyReportLineInline(admin.TabularInline):
    model = DailyReportLine
    fields = ("work_specification", "description", "quantity", "workers", "hours")
    extra = 1


@admin.register(DailyReport)
class DailyReportAdmin(SyncedModelAdmin):
    list_display = ("date", "site", "author", "line_count", "updated_at")
    list_filter = ("date", "site", "author")
    date_hierarchy = "date"
    search_fields = ("site", "notes", "author__username", "author__full_name")
    list_select_related = ("author",)
    fields = ("date", "site", "author", "notes")
    inlines = [DailyReportLineInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            live_line_count=Count("lines", filter=Q(lines__is_deleted=False))
        )

    @admin.display(description=_("lines"), ordering="live_line_count")
    def line_count(self, report: DailyReport) -> int:
        return report.live_line_count
