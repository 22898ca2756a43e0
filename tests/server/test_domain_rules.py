"""Totals are computed, and the validation a clerk expects holds."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.estimates.models import Estimate
from tests.factories import (
    DailyReportLineFactory,
    EstimateFactory,
    EstimateLineFactory,
    TimesheetFactory,
    WorkSpecificationFactory,
)

pytestmark = pytest.mark.django_db


def test_line_total_is_quantity_times_unit_price():
    line = EstimateLineFactory.build(quantity=Decimal("12.500"), unit_price=Decimal("1500.00"))
    assert line.total == Decimal("18750.00")


def test_estimate_total_sums_live_lines_only():
    estimate = EstimateFactory()
    EstimateLineFactory(estimate=estimate, quantity=Decimal("2"), unit_price=Decimal("10.50"))
    EstimateLineFactory(estimate=estimate, quantity=Decimal("1.5"), unit_price=Decimal("3.00"))
    EstimateLineFactory(estimate=estimate, quantity=Decimal("100"), unit_price=Decimal("1")).delete()
    assert estimate.total == Decimal("25.50")
    annotated = Estimate.objects.with_totals().get(pk=estimate.pk)
    assert annotated.total_amount == Decimal("25.50")


def test_estimate_without_lines_totals_zero():
    estimate = EstimateFactory()
    assert estimate.total == Decimal("0.00")
    assert Estimate.objects.with_totals().get(pk=estimate.pk).total_amount == 0


@pytest.mark.parametrize(
    ("factory", "field", "value"),
    [
        (EstimateLineFactory, "quantity", Decimal("-1")),
        (EstimateLineFactory, "unit_price", Decimal("-0.01")),
        (WorkSpecificationFactory, "unit_price", Decimal("-5")),
        (DailyReportLineFactory, "quantity", Decimal("-2")),
        (DailyReportLineFactory, "hours", Decimal("24.01")),
        (TimesheetFactory, "hours", Decimal("25")),
        (TimesheetFactory, "hours", Decimal("-1")),
    ],
)
def test_out_of_range_values_are_refused_with_the_field_named(factory, field, value):
    record = factory()
    setattr(record, field, value)
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert field in error.value.message_dict


def test_hours_at_the_bounds_are_accepted():
    TimesheetFactory(hours=Decimal("0")).full_clean()
    TimesheetFactory(hours=Decimal("24")).full_clean()


def test_work_specification_code_is_unique():
    WorkSpecificationFactory(code="EX-01")
    duplicate = WorkSpecificationFactory.build(code="EX-01")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "code" in error.value.message_dict


def test_estimate_number_is_unique_even_against_deleted_estimates():
    EstimateFactory(number="E-17").delete()
    duplicate = EstimateFactory.build(number="E-17")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "number" in error.value.message_dict
