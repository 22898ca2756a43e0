from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.sync import SyncedModel

NOT_NEGATIVE = MinValueValidator(Decimal("0"))
HOURS_VALIDATORS = [NOT_NEGATIVE, MaxValueValidator(Decimal("24"))]


class DailyReport(SyncedModel):
    """What was done on a site on one day, written by its foreman."""

    date = models.DateField(_("date"))
    site = models.CharField(_("site"), max_length=255)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="daily_reports", verbose_name=_("author")
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        ordering = ["-date", "site"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.site}"


class DailyReportLine(SyncedModel):
    report = models.ForeignKey(DailyReport, on_delete=models.PROTECT, related_name="lines", verbose_name=_("report"))
    work_specification = models.ForeignKey(
        "estimates.WorkSpecification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("work specification"),
    )
    description = models.TextField(_("description"), blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3, validators=[NOT_NEGATIVE])
    workers = models.PositiveIntegerField(_("workers"), default=0, validators=[MaxValueValidator(10_000)])
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2, validators=HOURS_VALIDATORS)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("daily report line")
        verbose_name_plural = _("daily report lines")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:60] or str(self.work_specification or "")
