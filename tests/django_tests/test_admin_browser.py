"""End to end: the admin's state machine pages in a real headless browser.

Debian's Chromium (``/usr/bin/chromium``) driven by Playwright; Playwright never downloads
a browser here. Without Chromium or Playwright the tests are skipped, unless
``STATEMACHINE_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.

Each page the tests check is also saved as a full-page screenshot, into pytest's temporary
directory (or ``STATEMACHINE_SCREENSHOTS=<dir>`` to keep them and look at them); the tests
check that each one was written as a PNG. They are never part of the repository.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import django.contrib.admin
import pytest
from django.urls import reverse
from publishing.models import Article

from statemachine.contrib.django.audit.models import TransitionLog
from tests.django_project.shop.models import Order

CHROMIUM = os.environ.get("STATEMACHINE_CHROMIUM", "/usr/bin/chromium")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.django_db(transaction=True)


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


@pytest.fixture
def site(live_server, django_user_model, settings):
    """The live server's URL, with a superuser ``boss`` (password ``secret``)."""
    # The test project has no staticfiles app: the live server serves STATIC_ROOT, here the
    # admin's own static files, so the page looks (and lays out) as in production.
    settings.STATIC_ROOT = os.path.join(os.path.dirname(django.contrib.admin.__file__), "static")
    # The ORM is used before and after the browser runs: Playwright's sync API keeps an
    # event loop on this thread meanwhile, which Django's async-safety check refuses.
    django_user_model.objects.create_superuser("boss", "boss@example.com", "secret")
    return live_server.url


@pytest.fixture
def screenshots(tmp_path):
    """Where the screenshots go; a function that takes one and checks the file."""
    folder = Path(os.environ.get("STATEMACHINE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = folder / f"{name}.png"
        if path.exists():
            path.unlink()
        page.screenshot(path=str(path), full_page=True)
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE), f"{path} is not a PNG"
        assert len(data) > 1000, f"{path} is nearly empty"
        return path

    return take


def log_in(page, url, path):
    page.goto(f"{url}{path}")  # redirected to the login form
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "secret")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{path}")


def launch(p):
    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    return browser, page


def test_a_transition_button_in_the_browser(site, sync_playwright, screenshots):
    order = Order.objects.create(items=2, address="1 Main St")
    change_path = reverse("admin:shop_order_change", args=(order.pk,))

    with sync_playwright() as p:
        browser, page = launch(p)
        try:
            log_in(page, site, change_path)
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


def test_the_change_page_shows_the_state_once_and_explains_the_rest(
    site, sync_playwright, screenshots
):
    order = Order.objects.create(items=0, address="1 Main St")  # no items: pay is refused
    order.send_event("cancel", atomic=True)  # a row in the audit log...
    Order.objects.filter(pk=order.pk).update(state="created")
    order = Order.objects.get(pk=order.pk)
    change_path = reverse("admin:shop_order_change", args=(order.pk,))

    with sync_playwright() as p:
        browser, page = launch(p)
        try:
            log_in(page, site, change_path)
            # The state appears once: in the panel, not again as a read-only form field.
            assert page.locator("#statemachine .statemachine-state").inner_text() == "Created"
            assert page.locator(".field-state").count() == 0
            assert page.get_by_text("Created", exact=True).count() == 1 + 2  # + diagram, log

            # Why not: pay has a transition from here, refused by its guard; ship and
            # restock have none, collapsed under one line.
            refused = page.locator("#statemachine .statemachine-refused li")
            assert refused.all_inner_texts() == [
                "Pay: 'pay' from 'created' to 'paid': has_items is false."
            ]
            summary = page.locator("#statemachine .statemachine-unreachable summary")
            assert summary.inner_text() == "2 other events have no transition from Created"
            hidden = page.locator("#statemachine .statemachine-unreachable li")
            assert not hidden.first.is_visible()
            screenshots(page, "change-page")
            summary.click()
            assert hidden.all_inner_texts() == ["Ship", "Restock"]
            assert hidden.first.is_visible()

            # The diagram: state and event names, no Python names.
            diagram = " ".join(page.locator("#statemachine svg text").all_text_contents())
            for name in ("Created", "Paid", "Shipped", "Cancelled", "Pay", "Ship", "Restock"):
                assert name in diagram
            for code in ("has_items", "address_known", "on_enter_created", "break_on_restock"):
                assert code not in diagram

            # The audit inline names the states.
            inline = page.locator("#statemachine_audit-transitionlog-content_type-object_id-group")
            assert inline.locator("td.field-source_name").all_inner_texts() == ["Created"]
            assert inline.locator("td.field-target_name").all_inner_texts() == ["Cancelled"]
            assert inline.locator("td.field-event_name").all_inner_texts() == ["Cancel"]
            screenshots(page, "change-page-details-open")
        finally:
            browser.close()


def test_a_row_whose_state_is_gone_is_shown_and_repaired(site, sync_playwright, screenshots):
    good = Order.objects.create(items=1, address="1 Main St")
    Article.objects.create(title="News", body="...").send_event("submit")  # another log type
    order = Order.objects.create(items=1, address="2 Side St")
    Order.objects.filter(pk=order.pk).update(state="gone")
    changelist_path = reverse("admin:shop_order_changelist")
    change_path = reverse("admin:shop_order_change", args=(order.pk,))
    log_path = reverse("admin:statemachine_audit_transitionlog_changelist")

    with sync_playwright() as p:
        browser, page = launch(p)
        try:
            log_in(page, site, changelist_path)
            invalid = page.locator("#result_list .statemachine-invalid")
            assert invalid.all_inner_texts() == ["gone (not a state of OrderMachine)"]
            assert f"shop.Order pk={order.pk}" in invalid.get_attribute("title")
            color = invalid.evaluate("e => getComputedStyle(e).color")
            assert color != page.locator("#result_list td.field-address").first.evaluate(
                "e => getComputedStyle(e).color"
            )  # marked: red, not the text colour
            assert "Created" in page.locator("#result_list").inner_text()  # the good row
            screenshots(page, "changelist-invalid-row")

            page.goto(f"{site}{change_path}")
            panel = page.locator("#statemachine")
            assert panel.locator(".statemachine-state").inner_text() == "gone"
            error = panel.locator(".statemachine-error").inner_text()
            assert f"shop.Order pk={order.pk}" in error
            assert "'gone'" in error
            assert panel.locator("button.statemachine-event").count() == 0
            screenshots(page, "change-page-invalid-state")

            page.select_option("#id_statemachine_repair_state", "paid")
            page.fill("#id_statemachine_repair_description", "gone meant paid")
            page.click("#statemachine button.statemachine-repair-button")
            page.wait_for_load_state()
            assert "was repaired" in page.locator(".messagelist .success").inner_text()
            assert panel.locator(".statemachine-state").inner_text() == "Paid"
            assert panel.locator("button.statemachine-event").count() > 0
            screenshots(page, "change-page-repaired")

            page.goto(f"{site}{log_path}")
            assert page.locator("#content h1").inner_text() == "Select transition log entry to view"
            breadcrumbs = page.locator(".breadcrumbs").inner_text()
            assert "Transition log entries" in breadcrumbs
            # The content type filter offers only the types that have rows.
            content_types = page.locator('#changelist-filter a[href*="content_type__id__exact"]')
            # (Django 4.2 writes content types in lower case.)
            offered = sorted(text.lower() for text in content_types.all_inner_texts())
            assert offered == ["publishing | article", "shop | order"]
            assert page.locator("#result_list td.field-event_name").all_inner_texts() == [
                "(state repaired)",
                "Submit",
            ]
            screenshots(page, "transition-log")
        finally:
            browser.close()

    order.refresh_from_db()
    assert order.state == "paid"
    (row,) = TransitionLog.objects.for_object(order)
    assert (row.kind, row.source, row.target, row.user.username) == (
        "repair",
        "gone",
        "paid",
        "boss",
    )
    assert Order.objects.values_list("state", flat=True).get(pk=good.pk) == "created"
