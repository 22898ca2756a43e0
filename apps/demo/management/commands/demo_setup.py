"""Load a small demo data set (idempotent) and make sure an admin login exists."""
from __future__ import annotations

import datetime as dt
import secrets
import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User
from apps.estimates.models import Estimate, EstimateLine, WorkSpecification
from apps.reports.models import DailyReport, DailyReportLine
from apps.timesheets.models import Timesheet

DEMO_NAMESPACE = uuid.UUID("6f1d3c1e-2b7a-4c3e-9a55-0d2f3b4c5d6e")
ADMIN_USERNAME = "admin"

SPECIFICATIONS = [
    ("EX-01", "Excavation of soil with an excavator", "m3", "450.00"),
    ("CN-10", "Concrete pouring, foundation slab", "m3", "5200.00"),
    ("RB-02", "Reinforcement installation", "t", "38000.00"),
    ("BR-05", "Brick masonry of walls", "m3", "6100.00"),
    ("FW-03", "Formwork installation", "m2", "780.00"),
    ("WP-07", "Waterproofing of foundation", "m2", "640.00"),
    ("RF-11", "Roofing with metal tiles", "m2", "1150.00"),
    ("PL-04", "Wall plastering", "m2", "520.00"),
]
PEOPLE = [
    ("ivanov", "Pyotr Ivanov"),
    ("smirnova", "Anna Smirnova"),
    ("kuznetsov", "Oleg Kuznetsov"),
    ("worker1", "Sergei Popov"),
    ("worker2", "Dmitry Volkov"),
]
SITES = ["Riverside block 3", "School extension, Lenina 12", "Warehouse, North industrial park"]


def demo_uuid(name: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, name)


class Command(BaseCommand):
    help = "Load the demo data set (safe to run again) and create the admin login if it is missing."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            created = self.load_demo_data()
        self.stdout.write(f"Demo data: {created} new records." if created else "Demo data already loaded.")
        self.ensure_admin()

    def load_demo_data(self) -> int:
        created = 0

        def get_or_create(model, key: str, **values):
            nonlocal created
            record, was_created = model.all_objects.get_or_create(uuid=demo_uuid(key), defaults=values)
            created += was_created
            return record

        specs = [
            get_or_create(WorkSpecification, f"spec:{code}", code=code, name=name, unit=unit, unit_price=Decimal(price))
            for code, name, unit, price in SPECIFICATIONS
        ]
        people = [
            get_or_create(User, f"user:{username}", username=username, full_name=full_name)
            for username, full_name in PEOPLE
        ]
        base_date = dt.date(2026, 11, 2)
        for number in range(1, 4):
            estimate = get_or_create(
                Estimate,
                f"estimate:{number}",
                number=f"E-{number:03d}",
                title=f"Stage {number} works",
                site=SITES[number - 1],
                date=base_date + dt.timedelta(days=number),
                status=Estimate.Status.APPROVED if number == 1 else Estimate.Status.DRAFT,
            )
            for position in range(1, 5):
                spec = specs[(number + position) % len(specs)]
                get_or_create(
                    EstimateLine,
                    f"estimate:{number}:line:{position}",
                    estimate=estimate,
                    position=position,
                    work_specification=spec,
                    description=spec.name,
                    unit=spec.unit,
                    quantity=Decimal(10 * position + number),
                    unit_price=spec.unit_price,
                )
        for day in range(5):
            foreman = people[day % 3]
            report = get_or_create(
                DailyReport,
                f"report:{day}",
                date=base_date + dt.timedelta(days=day),
                site=SITES[day % 3],
                author=foreman,
                notes="Weather: dry. Deliveries on time.",
            )
            for index in range(2):
                spec = specs[(day + index) % len(specs)]
                get_or_create(
                    DailyReportLine,
                    f"report:{day}:line:{index}",
                    report=report,
                    work_specification=spec,
                    description=spec.name,
                    quantity=Decimal("12.5") + index,
                    workers=3 + index,
                    hours=Decimal("8.00"),
                )
            for worker in people[3:]:
                get_or_create(
                    Timesheet,
                    f"timesheet:{day}:{worker.username}",
                    date=report.date,
                    worker=worker,
                    site=report.site,
                    hours=Decimal("8.00"),
                    work_specification=specs[day % len(specs)],
                )
        return created

    def ensure_admin(self) -> None:
        password_file = Path(settings.BASE_DIR) / "var" / "admin-password.txt"
        if not User.all_objects.filter(username=ADMIN_USERNAME).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(ADMIN_USERNAME, email="", password=password, full_name="Administrator")
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        if password_file.exists():
            password = password_file.read_text().strip()
            self.stdout.write(self.style.SUCCESS(f"Admin login: {ADMIN_USERNAME} / {password}"))
        else:
            self.stdout.write(
                f"Admin login: {ADMIN_USERNAME} (password set earlier; change it with "
                f"'python manage.py changepassword {ADMIN_USERNAME}')"
            )
