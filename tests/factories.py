"""factory-boy factories for every synced model."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import User
from apps.estimates.models import Estimate, EstimateLine, WorkSpecification
from apps.reports.models import DailyReport, DailyReportLine
from apps.timesheets.models import Timesheet


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WorkSpecificationFactory(DjangoModelFactory):
    class Meta:
        model = WorkSpecification

    code = factory.Sequence(lambda n: f"WS-{n:04d}")
    name = factory.Sequence(lambda n: f"Work item {n}")
    unit = "m3"
    unit_price = Decimal("1500.00")


class EstimateFactory(DjangoModelFactory):
    class Meta:
        model = Estimate

    number = factory.Sequence(lambda n: f"E-{n:05d}")
    title = "Foundation works"
    site = "Riverside block 3"
    date = dt.date(2026, 11, 20)
    status = Estimate.Status.DRAFT


class EstimateLineFactory(DjangoModelFactory):
    class Meta:
        model = EstimateLine

    estimate = factory.SubFactory(EstimateFactory)
    position = factory.Sequence(lambda n: n)
    work_specification = factory.SubFactory(WorkSpecificationFactory)
    description = "Excavation"
    unit = "m3"
    quantity = Decimal("12.500")
    unit_price = Decimal("1500.00")


class DailyReportFactory(DjangoModelFactory):
    class Meta:
        model = DailyReport

    date = dt.date(2026, 11, 25)
    site = "Riverside block 3"
    author = factory.SubFactory(UserFactory)
    notes = "Dry weather."


class DailyReportLineFactory(DjangoModelFactory):
    class Meta:
        model = DailyReportLine

    report = factory.SubFactory(DailyReportFactory)
    work_specification = factory.SubFactory(WorkSpecificationFactory)
    description = "Concrete pouring"
    quantity = Decimal("4.000")
    workers = 3
    hours = Decimal("8.00")


class TimesheetFactory(DjangoModelFactory):
    class Meta:
        model = Timesheet

    date = dt.date(2026, 11, 25)
    worker = factory.SubFactory(UserFactory)
    site = "Riverside block 3"
    hours = Decimal("8.00")
    work_specification = factory.SubFactory(WorkSpecificationFactory)
    note = ""
