"""End to end: the admin's transition buttons in a real headless browser.

Debian's Chromium (``/usr/bin/chromium``) driven by Playwright; Playwright never downloads
a browser here. Without Chromium or Playwright the test is skipped, unless
``STATEMACHINE_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import os
import shutil

import django.contrib.admin
import pytest
from django.urls import reverse

from tests.django_project.shop.models import Order

CHROMIUM = os.environ.get("STATEMACHINE_CHROMIUM", "/usr/bin/chromium")


def _unavailable(message: str) -> None:
    if os.environ.get("STATEMACHINE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message} STATEMACHINE_REQUIRE_BROWSER=1 requires the browser test to run.")
    pytest.skip(message)


@pytest.fixture
def sync_playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright's Python package is not installed (pip install playwright).")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium was not found at {CHROMIUM} (Debian: apt-get install chromium).")
    return sync_playwright


@pytest.mark.django_db(transaction=True)
def test_a_transition_button_in_the_browser(
    live_server, django_user_model, sync_playwright, settings
):
    # The test project has no staticfiles app: the live server serves STATIC_ROOT, here the
    # admin's own static files, so the page looks (and lays out) as in production.
    settings.STATIC_ROOT = os.path.join(os.path.dirname(django.contrib.admin.__file__), "static")
    # The ORM is used before and after the browser runs: Playwright's sync API keeps an
    # event loop on this thread meanwhile, which Django's async-safety check refuses.
    django_user_model.objects.create_superuser("boss", "boss@example.com", "secret")
    order = Order.objects.create(items=2, address="1 Main St")
    change_path = reverse("admin:shop_order_change", args=(order.pk,))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{live_server.url}{change_path}")  # redirected to the login form
            page.fill("input[name=username]", "boss")
            page.fill("input[name=password]", "secret")
            page.click("input[type=submit]")
            page.wait_for_url(f"**{change_path}")

            state = page.locator("#statemachine .statemachine-state")
            assert state.inner_text() == "Created"
            page.click("#statemachine button[data-event=pay]")
            page.wait_for_load_state()

            assert state.inner_text() == "Paid"
            success = page.locator(".messagelist .success").inner_text()
            assert "is now Paid" in success
            # The diagram followed: the filled node is now "Paid".
            filled = page.locator("#statemachine svg g.node:has(path[fill=turquoise]) text")
            assert filled.all_text_contents() == ["Paid"]
            assert page.locator("#statemachine button[data-event=pay]").count() == 0
        finally:
            browser.close()

    order.refresh_from_db()
    assert order.state == "paid"
