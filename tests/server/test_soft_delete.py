"""Deleting a synced record marks it deleted; nothing is removed, and it can be restored."""
from __future__ import annotations

import pytest
from django.urls import reverse

from apps.estimates.models import Estimate, EstimateLine, WorkSpecification
from apps.reports.models import DailyReport, DailyReportLine
from tests.factories import DailyReportLineFactory, EstimateFactory, EstimateLineFactory, WorkSpecificationFactory

pytestmark = pytest.mark.django_db


def test_deleting_one_object_marks_it_and_keeps_the_row():
    spec = WorkSpecificationFactory()
    spec.delete()
    assert not WorkSpecification.objects.filter(pk=spec.pk).exists()
    kept = WorkSpecification.all_objects.get(pk=spec.pk)
    assert kept.is_deleted is True


def test_deleting_a_parent_marks_its_lines():
    estimate = EstimateFactory()
    lines = EstimateLineFactory.create_batch(3, estimate=estimate)
    estimate.delete()
    assert EstimateLine.objects.filter(estimate=estimate).count() == 0
    assert EstimateLine.all_objects.filter(pk__in=[line.pk for line in lines], is_deleted=True).count() == 3


def test_deleting_a_queryset_marks_every_row_and_their_lines():
    lines = DailyReportLineFactory.create_batch(4)
    reports = DailyReport.objects.filter(pk__in=[line.report_id for line in lines])
    count, per_model = reports.delete()
    assert per_model == {"reports.DailyReport": 4, "reports.DailyReportLine": 4}
    assert count == 8
    assert DailyReport.all_objects.filter(is_deleted=True).count() == 4
    assert DailyReportLine.all_objects.filter(is_deleted=True).count() == 4
    assert DailyReport.objects.count() == 0


def test_the_default_manager_hides_deleted_rows_and_the_explicit_one_reaches_them():
    live, gone = WorkSpecificationFactory.create_batch(2)
    gone.delete()
    assert list(WorkSpecification.objects.all()) == [live]
    assert set(WorkSpecification.all_objects.all()) == {live, gone}


def test_related_managers_hide_deleted_lines():
    estimate = EstimateFactory()
    kept, removed = EstimateLineFactory.create_batch(2, estimate=estimate)
    removed.delete()
    assert list(estimate.lines.all()) == [kept]


def test_restore_brings_back_the_record_with_the_lines_deleted_together_with_it():
    estimate = EstimateFactory()
    removed_earlier, deleted_with_parent = EstimateLineFactory.create_batch(2, estimate=estimate)
    removed_earlier.delete()
    estimate.delete()
    Estimate.all_objects.get(pk=estimate.pk).restore()
    assert Estimate.objects.filter(pk=estimate.pk).exists()
    assert list(estimate.lines.all()) == [deleted_with_parent]


def test_queryset_restore_counts_restored_records():
    specs = WorkSpecificationFactory.create_batch(3)
    WorkSpecification.objects.all().delete()
    assert WorkSpecification.all_objects.filter(is_deleted=True).restore() == 3
    assert WorkSpecification.objects.count() == len(specs)


def test_updated_at_moves_on_every_change_including_queryset_updates():
    spec = WorkSpecificationFactory()
    first = spec.updated_at
    spec.name = "Renamed"
    spec.save(update_fields=["name"])
    spec.refresh_from_db()
    assert spec.updated_at > first
    WorkSpecification.objects.filter(pk=spec.pk).update(unit="m2")
    again = WorkSpecification.objects.get(pk=spec.pk)
    assert again.updated_at > spec.updated_at


def test_admin_bulk_delete_action_marks_rows_deleted(admin_client):
    specs = WorkSpecificationFactory.create_batch(2)
    url = reverse("admin:estimates_workspecification_changelist")
    response = admin_client.post(
        url,
        {"action": "delete_selected", "_selected_action": [s.pk for s in specs], "post": "yes"},
    )
    assert response.status_code == 302
    assert WorkSpecification.objects.count() == 0
    assert WorkSpecification.all_objects.filter(is_deleted=True).count() == 2


def test_admin_delete_of_one_estimate_marks_it_and_its_lines(admin_client):
    line = EstimateLineFactory()
    url = reverse("admin:estimates_estimate_delete", args=[line.estimate.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert Estimate.all_objects.get(pk=line.estimate.pk).is_deleted
    assert EstimateLine.all_objects.get(pk=line.pk).is_deleted


def test_admin_lists_hide_deleted_records_and_the_filter_shows_them(admin_client):
    live = EstimateFactory(number="E-LIVE")
    gone = EstimateFactory(number="E-GONE")
    gone.delete()
    url = reverse("admin:estimates_estimate_changelist")
    default = admin_client.get(url).content.decode()
    assert live.number in default and gone.number not in default
    deleted_only = admin_client.get(url, {"deleted": "yes"}).content.decode()
    assert gone.number in deleted_only and live.number not in deleted_only


def test_admin_restore_action_restores_deleted_records(admin_client):
    gone = EstimateFactory()
    EstimateLineFactory(estimate=gone)
    gone.delete()
    url = reverse("admin:estimates_estimate_changelist") + "?deleted=yes"
    response = admin_client.post(url, {"action": "restore_selected", "_selected_action": [gone.pk]})
    assert response.status_code == 302
    assert Estimate.objects.filter(pk=gone.pk).exists()
    assert gone.lines.count() == 1
