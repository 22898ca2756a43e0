from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.sync import SyncedModel


class Timesheet(SyncedModel):
    """Hours one worker spent on a site on one day."""

    date = models.DateField(_("date"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="timesheets", verbose_name=_("worker")
    )
    site = models.CharField(_("site"), max_length=255)
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    work_specification = models.ForeignKey(
        "estimates.WorkSpecification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("work specification"),
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("timesheet")
        verbose_name_plural = _("timesheets")
        ordering = ["-date", "worker__username"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.worker} {self.hours} h"
