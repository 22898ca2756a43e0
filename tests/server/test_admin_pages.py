"""Every admin page an office clerk uses renders, in English and in Russian."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from tests.factories import (
    DailyReportLineFactory,
    EstimateLineFactory,
    TimesheetFactory,
    UserFactory,
    WorkSpecificationFactory,
)

pytestmark = pytest.mark.django_db

OUR_APPS = {"accounts", "estimates", "reports", "timesheets", "sync"}


def our_model_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OUR_APPS
    ]


@pytest.fixture
def one_of_each(db):
    line = EstimateLineFactory()
    report_line = DailyReportLineFactory()
    return {
        "estimates.estimate": line.estimate,
        "estimates.workspecification": line.work_specification,
        "reports.dailyreport": report_line.report,
        "timesheets.timesheet": TimesheetFactory(),
        "accounts.user": UserFactory(),
    }


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_changelist_add_change_and_history_page_renders(admin_client, admin_user, rf, one_of_each, language):
    request = rf.get("/")
    request.user = admin_user
    checked = 0
    for model, model_admin in our_model_admins():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        pages = [reverse(f"{prefix}_changelist")]
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"{prefix}_add"))
        obj = one_of_each.get(opts.label_lower)
        if obj is not None:
            pages += [reverse(f"{prefix}_change", args=[obj.pk]), reverse(f"{prefix}_history", args=[obj.pk])]
        for url in pages:
            response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, url
            assert response.headers["Content-Language"] == language
            checked += 1
    assert checked >= 4 * 5


def test_estimate_change_form_shows_lines_inline_with_totals(admin_client):
    line = EstimateLineFactory()
    page = admin_client.get(reverse("admin:estimates_estimate_change", args=[line.estimate.pk])).content.decode()
    assert 'name="lines-0-quantity"' in page
    assert "18750.00" in page  # 12.500 × 1500.00, the line total and the estimate total


def test_russian_admin_shows_russian_labels(admin_client, one_of_each):
    page = admin_client.get(reverse("admin:estimates_estimate_changelist"), HTTP_ACCEPT_LANGUAGE="ru").content
    text = page.decode()
    assert "Сметы" in text and "Только действующие" in text
    english = admin_client.get(reverse("admin:estimates_estimate_changelist"), HTTP_ACCEPT_LANGUAGE="en").content
    assert "Live only" in english.decode()


def test_history_page_lists_changes_of_the_record(admin_client):
    spec = WorkSpecificationFactory(name="First name")
    spec.name = "Second name"
    spec.save()
    page = admin_client.get(reverse("admin:estimates_workspecification_history", args=[spec.pk])).content.decode()
    assert page.count("<tr") >= 3  # header and two historical rows


def test_russian_translation_is_complete():
    po = (Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]
    assert entries, "no translations"
    for entry in entries:
        assert "#, fuzzy" not in entry, entry
        strings = re.findall(r'^msgstr(?:\[\d\])? "(.*)"', entry, re.M)
        assert strings and all(strings), f"untranslated: {entry}"
