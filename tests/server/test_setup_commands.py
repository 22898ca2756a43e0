"""The demo data loader, the admin login it prints, and production settings."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.accounts.models import User
from apps.estimates.models import Estimate, EstimateLine


@pytest.mark.django_db
def test_demo_setup_is_idempotent_and_prints_the_admin_login(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    first = StringIO()
    call_command("demo_setup", stdout=first)
    counts = (Estimate.objects.count(), EstimateLine.objects.count(), User.objects.count())
    second = StringIO()
    call_command("demo_setup", stdout=second)
    assert (Estimate.objects.count(), EstimateLine.objects.count(), User.objects.count()) == counts
    assert counts[0] >= 3 and counts[1] >= 12
    password = (tmp_path / "var" / "admin-password.txt").read_text().strip()
    assert f"Admin login: admin / {password}" in first.getvalue()
    assert f"Admin login: admin / {password}" in second.getvalue()
    assert "already loaded" in second.getvalue()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _manage("check")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_deploy_check_is_clean_but_for_what_the_tls_proxy_covers():
    result = _manage("check", "--deploy", SECRET_KEY="k" * 64 + "-production-like-secret-value")
    output = result.stdout + result.stderr
    raised = set(re.findall(r"security\.W\d+", output))
    # W004 (HSTS) and W008 (SSL redirect) belong to the TLS-terminating proxy; see docs/deployment.md.
    assert raised <= {"security.W004", "security.W008"}, output
