"""The admin in a real browser: a clerk logs in with a password, adds an estimate with two
lines through the inline "Add another" row, sees its total, and revokes a computer.

Headless Chromium from Debian (``make test`` installs it), driven by Playwright's sync API
against pytest-django's ``live_server``.

Playwright's sync API runs an asyncio event loop in this thread for as long as the browser
is open, and Django refuses ORM calls while a loop runs here ("SynchronousOnlyOperation").
Instead of switching that safety check off (DJANGO_ALLOW_ASYNC_UNSAFE), the test prepares
its data before the browser starts and checks the database after it has closed; the live
server answers the browser from its own thread, where no loop runs.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from apps.estimates.models import Estimate
from apps.sync.services.nodes import node_create, node_for_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads what the test commits

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # the suite runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Nothing but the live server may be reached: no update checks, no sync, no extras.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "browser-test-password-27"
ACTION_TIMEOUT_MS = 15_000


@contextlib.contextmanager
def chromium_page(base_url: str) -> Iterator[Page]:
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: `make test` installs Debian's chromium package"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(base_url=base_url)
            page.set_default_timeout(ACTION_TIMEOUT_MS)
            yield page
        finally:
            browser.close()


def admin_login(page: Page, username: str, password: str) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username.upper(), ignore_case=True)


def estimate_line_fill(page: Page, index: int, *, position: int, description: str, quantity: str, price: str) -> None:
    prefix = f"#id_lines-{index}-"
    page.fill(prefix + "position", str(position))
    page.fill(prefix + "description", description)
    page.fill(prefix + "unit", "m3")
    page.fill(prefix + "quantity", quantity)
    page.fill(prefix + "unit_price", price)


def test_clerk_adds_an_estimate_with_two_lines_and_revokes_a_computer(live_server):
    UserFactory(username="office", full_name="Office Clerk", is_staff=True, is_superuser=True, password=PASSWORD)
    node, token = node_create(owner=UserFactory(username="foreman"), name="Site laptop 3")

    with chromium_page(live_server.url) as page:
        admin_login(page, "office", PASSWORD)

        page.goto("/admin/estimates/estimate/add/")
        page.fill("#id_number", "E-BROWSER-1")
        page.fill("#id_title", "Foundation works")
        page.fill("#id_site", "Riverside block 3")
        page.fill("#id_date", "2026-11-20")
        estimate_line_fill(page, 0, position=1, description="Excavation", quantity="2", price="10.00")
        page.click(".add-row a")  # the inline's "Add another Estimate line"
        expect(page.locator("#id_lines-1-quantity")).to_be_visible()
        estimate_line_fill(page, 1, position=2, description="Backfilling", quantity="3", price="5.00")
        page.click("input[name=_continue]")

        expect(page.locator(".messagelist")).to_contain_text("was added successfully")
        expect(page.locator(".field-estimate_total .readonly")).to_have_text("35.00")  # 2 × 10.00 + 3 × 5.00
        expect(page.locator("tr.has_original td.field-line_total")).to_have_text(["20.00", "15.00"])

        page.goto("/admin/sync/syncnode/")
        page.check(f"input.action-select[value='{node.pk}']")
        page.select_option("select[name=action]", "revoke_selected")
        page.click("button[name=index]")
        expect(page.locator("#content-main")).to_contain_text("Site laptop 3")
        page.click("input[type=submit][value='Yes, revoke']")
        expect(page.locator(".messagelist")).to_contain_text("Revoked the access of 1 computer")

    estimate = Estimate.objects.get(number="E-BROWSER-1")
    lines = [(line.position, line.description, line.quantity, line.unit_price) for line in estimate.lines.all()]
    assert lines == [
        (1, "Excavation", Decimal("2.000"), Decimal("10.00")),
        (2, "Backfilling", Decimal("3.000"), Decimal("5.00")),
    ]
    assert estimate.total == Decimal("35.00")
    assert node_for_token(token).is_revoked
