from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.estimates.models import Estimate, EstimateLine, WorkSpecification
from apps.sync.admin_base import SyncedModelAdmin


@admin.register(WorkSpecification)
class WorkSpecificationAdmin(SyncedModelAdmin):
    list_display = ("code", "name", "unit", "unit_price", "updated_at")
    search_fields = ("code", "name")
    list_filter = ("unit",)
    fields = ("code", "name", "unit", "unit_price")


class EstimateLineInline(admin.TabularInline):
    model = EstimateLine
    fields = ("position", "work_specification", "description", "unit", "quantity", "unit_price", "line_total")
    readonly_fields = ("line_total",)
    extra = 1

    @admin.display(description=_("total"))
    def line_total(self, line: EstimateLine):
        return line.total if line.pk else "—"


@admin.register(Estimate)
class EstimateAdmin(SyncedModelAdmin):
    list_display = ("number", "title", "site", "date", "status", "total_amount")
    list_filter = ("status", "date", "site")
    date_hierarchy = "date"
    search_fields = ("number", "title", "site")
    fields = ("number", "title", "site", "date", "status", "estimate_total")
    readonly_fields = ("estimate_total",)
    inlines = [EstimateLineInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_totals()

    @admin.display(description=_("total"), ordering="total_amount")
    def total_amount(self, estimate: Estimate):
        return estimate.total_amount.quantize(Decimal("0.01"))

    @admin.display(description=_("total"))
    def estimate_total(self, estimate: Estimate):
        return estimate.total if estimate.pk else "—"
