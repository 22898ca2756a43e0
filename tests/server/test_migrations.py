"""The upgrade path for existing data: rows that predate the sync fields all get distinct uuids."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_SYNC_FIELDS = [
    ("accounts", "0001_initial"),
    ("estimates", "0001_initial"),
    ("reports", "0001_initial"),
    ("timesheets", "0001_initial"),
]


@pytest.mark.django_db(transaction=True)
def test_migrating_existing_rows_gives_every_row_a_distinct_uuid():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_SYNC_FIELDS)
    old = executor.loader.project_state(BEFORE_SYNC_FIELDS).apps

    user_model = old.get_model("accounts", "User")
    users = [user_model.objects.create(username=f"old{i}", password="!") for i in range(3)]
    spec = old.get_model("estimates", "WorkSpecification").objects.create(
        code="OLD-1", name="Old spec", unit="m", unit_price=Decimal("1")
    )
    estimates = [
        old.get_model("estimates", "Estimate").objects.create(
            number=f"OLD-{i}", title="t", site="s", date=dt.date(2025, 1, 1), status="draft"
        )
        for i in range(5)
    ]
    line_model = old.get_model("estimates", "EstimateLine")
    for estimate in estimates:
        for position in range(4):
            line_model.objects.create(
                estimate=estimate, position=position, work_specification=spec,
                quantity=Decimal("1"), unit_price=Decimal("2"),
            )
    report = old.get_model("reports", "DailyReport").objects.create(date=dt.date(2025, 1, 1), site="s", author=users[0])
    old.get_model("reports", "DailyReportLine").objects.create(
        report=report, quantity=Decimal("1"), workers=1, hours=Decimal("8")
    )
    old.get_model("timesheets", "Timesheet").objects.create(
        date=dt.date(2025, 1, 1), worker=users[1], site="s", hours=Decimal("8")
    )
    # A historical row written before the upgrade keeps pointing at its record.
    old.get_model("estimates", "HistoricalEstimate").objects.create(
        id=estimates[0].pk, number="OLD-0", title="t", site="s", date=dt.date(2025, 1, 1), status="draft",
        history_date=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc), history_type="+",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from apps.accounts.models import User
    from apps.estimates.models import Estimate, EstimateLine, WorkSpecification
    from apps.reports.models import DailyReport, DailyReportLine
    from apps.timesheets.models import Timesheet

    for model, expected in [
        (User, 3), (WorkSpecification, 1), (Estimate, 5), (EstimateLine, 20),
        (DailyReport, 1), (DailyReportLine, 1), (Timesheet, 1),
    ]:
        uuids = list(model.all_objects.values_list("uuid", flat=True))
        assert len(uuids) == expected, model
        assert None not in uuids, model
        assert len(set(uuids)) == expected, f"{model.__name__} rows share a uuid"
        assert not model.all_objects.filter(is_deleted=True).exists()

    first = Estimate.objects.get(pk=estimates[0].pk)
    assert first.history.get().uuid == first.uuid


@pytest.mark.django_db
def test_models_and_migrations_agree():
    # makemigrations --check exits non-zero when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
