from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import DecimalField, ExpressionWrapper, F, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.sync import AllRecordsManager, LiveManager, SyncedModel, SyncedQuerySet

NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]
MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 14, "decimal_places": 3}
TOTAL_FIELD = DecimalField(max_digits=28, decimal_places=5)


class WorkSpecification(SyncedModel):
    """An entry of the catalogue of work: what is done, in which unit, at what price."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    unit = models.CharField(_("unit"), max_length=20)
    unit_price = models.DecimalField(_("unit price"), validators=NOT_NEGATIVE, **MONEY)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work specification")
        verbose_name_plural = _("work specifications")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class EstimateQuerySet(SyncedQuerySet):
    def with_totals(self):
        line_total = ExpressionWrapper(F("lines__quantity") * F("lines__unit_price"), output_field=TOTAL_FIELD)
        return self.annotate(
            total_amount=Coalesce(
                Sum(line_total, filter=models.Q(lines__is_deleted=False)), Value(Decimal("0")), output_field=TOTAL_FIELD
            )
        )


class Estimate(SyncedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    number = models.CharField(_("number"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=255)
    site = models.CharField(_("site"), max_length=255, blank=True)
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)

    objects = LiveManager.from_queryset(EstimateQuerySet)()
    all_objects = AllRecordsManager.from_queryset(EstimateQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("estimate")
        verbose_name_plural = _("estimates")
        ordering = ["-date", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def total(self) -> Decimal:
        """Sum of the line totals, rounded to cents."""
        amount = sum((line.total for line in self.lines.all()), Decimal("0"))
        return amount.quantize(Decimal("0.01"))


class EstimateLine(SyncedModel):
    estimate = models.ForeignKey(Estimate, on_delete=models.PROTECT, related_name="lines", verbose_name=_("estimate"))
    position = models.PositiveIntegerField(_("position"), default=0)
    work_specification = models.ForeignKey(
        WorkSpecification,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("work specification"),
    )
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = models.DecimalField(_("quantity"), validators=NOT_NEGATIVE, **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), validators=NOT_NEGATIVE, **MONEY)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("estimate line")
        verbose_name_plural = _("estimate lines")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description[:60] or str(self.work_specification or "")

    @property
    def total(self) -> Decimal:
        """Quantity × unit price, rounded to cents."""
        if self.quantity is None or self.unit_price is None:
            return Decimal("0.00")
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))
