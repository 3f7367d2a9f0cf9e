"""The pages in headless Chromium (Debian's), against the real server started as a new user would.

`sanctuary decide --log` records the example requests, then `sanctuary serve --demo` starts on a free
loopback port; the tests sign in with the demo users it prints and use the pages with the keyboard
and the mouse. A screenshot of every page goes to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from sanctuary.gateway.users import demo_password

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
FIXTURE = ROOT / "tests" / "data" / "flock-portal" / "search_audit.a871b2fc.csv"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("web-home")
    env = {**os.environ, "SANCTUARY_HOME": str(home), "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"}
    subprocess.run(
        [sys.executable, "-m", "sanctuary", "decide", "--log", str(home / "log.db"), str(ROOT / "examples" / "requests.jsonl")],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    out = home / "serve.out"
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sanctuary", "serve", "--demo", "--profile", "chicago-2021", "--port", "0", "--quiet"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=home,
        )
    try:
        deadline = time.monotonic() + 60
        url = None
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", out.read_text(errors="replace"))
            url = found.group(1) if found else None
            time.sleep(0.1)
        assert url, f"the server did not start: {out.read_text(errors='replace')[-2000:]}"
        printed = out.read_text(errors="replace")
        assert f"desk / {demo_password('desk')}" in printed  # the demo users are printed for a new user
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run `make browser` (make test does)"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    errors: list[str] = []  # a script error or a blocked resource (the pages' CSP) shows up here
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert errors == []


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def assert_labelled(page: Page) -> None:
    """Every visible form control has a label (or aria-label): a screen reader can name it."""
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(e => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label'))
        .map(e => e.name || e.id)""")
    assert unlabelled == [], f"{page.url}: controls without a label: {unlabelled}"
    jumps = page.evaluate("() => [...document.querySelectorAll('[tabindex]')].filter(e => e.tabIndex > 0).length")
    assert jumps == 0, f"{page.url}: a positive tabindex breaks the reading order"


def fits(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def sign_in(page: Page, url: str, role: str) -> None:
    """Sign in with the keyboard only: the name field has focus; Tab moves to the password, then the button."""
    page.goto(f"{url}/login")
    assert_labelled(page)
    assert page.evaluate("() => document.activeElement.id") == "name"
    page.keyboard.type(role)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "password"
    page.keyboard.type(demo_password(role))
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Sign in"
    page.keyboard.press("Enter")
    expect(page.locator(".who")).to_contain_text(f"{role} ({role})")


def test_sign_in_with_the_keyboard_and_skip_link(server: str, page: Page) -> None:
    page.goto(f"{server}/login")
    shot(page, "login")
    page.goto(f"{server}/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"  # the first stop skips the menu
    sign_in(page, server, "desk")
    shot(page, "home-desk")


def test_desk_request_gets_the_right_decision(server: str, page: Page) -> None:
    sign_in(page, server, "desk")
    page.goto(f"{server}/desk")
    assert_labelled(page)
    shot(page, "desk-form")
    page.get_by_label("The request arrived by").select_option("phone")
    page.get_by_label("Requesting agency").fill("ICE-ERO")
    page.get_by_label("Kind of request").select_option("custody_inquiry")
    page.get_by_label("Stated purpose, in the caller's words").fill("wants to know when he gets out")
    page.locator("#subject_name").fill("Maria Lopez")
    page.locator("#subject_dob").fill("1988-03-14")
    page.get_by_label("Release date").check()
    page.get_by_role("button", name="Decide and record").click()
    result = page.locator("#result")
    expect(result).to_contain_text("Decision: DENIED")
    expect(result).to_contain_text("MCC 2-173-020(a)(3)")
    expect(result.locator(".say")).to_contain_text("will not do this")
    index = int(re.search(r"log entry (\d+)", result.locator("h2").inner_text()).group(1))
    assert index >= 37  # after the 37 example requests recorded before the server started
    shot(page, "desk-decision")
    page.set_viewport_size(PHONE)
    assert fits(page)
    shot(page, "desk-decision-phone")
    # The FBI asking about custody status for a criminal case is answered.
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{server}/desk")
    page.get_by_label("Requesting agency").fill("FBI")
    page.get_by_label("Purpose category, as the caller declared it").select_option("criminal")
    page.locator("#subject_person_id").fill("P0000001")
    page.get_by_label("Custody status").check()
    page.get_by_role("button", name="Decide and record").click()
    expect(page.locator("#result")).to_contain_text("Decision: PERMITTED")


def test_oversight_filters_opens_a_proof_verifies_and_audits_an_export(server: str, page: Page) -> None:
    sign_in(page, server, "oversight")
    page.goto(f"{server}/decisions")
    assert_labelled(page)
    page.get_by_label("Outcome").select_option("deny")
    page.get_by_label("Agency family").select_option("DHS: ICE")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"outcome=deny"))
    rows = page.locator("table.list tbody tr")
    assert rows.count() > 0
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        assert cells.nth(3).inner_text() == "DHS: ICE" and cells.nth(5).inner_text() == "deny"
    assert f"{rows.count()} of " in page.locator("#match-count").inner_text()
    shot(page, "decisions-filtered")
    page.set_viewport_size(PHONE)
    assert fits(page)  # the table scrolls inside its box; the page does not
    shot(page, "decisions-filtered-phone")
    page.set_viewport_size({"width": 1200, "height": 900})
    rows.first.locator("a").click()
    expect(page.locator("#proof-result")).to_contain_text("Verified")
    shot(page, "decision-proof")
    page.goto(f"{server}/audit")
    assert_labelled(page)
    page.get_by_role("button", name="Run a full verification now").click()
    expect(page.locator("#verify-result")).to_contain_text("Passed")
    expect(page.locator("#verify-result")).to_contain_text("every leaf and node recomputed")
    shot(page, "audit")
    page.goto(f"{server}/policy/whatif?a=chicago-2019-mayoral&b=chicago-2019-proposed-eo")
    expect(page.locator("#whatif-count")).to_contain_text("would be decided differently")
    assert_labelled(page)
    shot(page, "whatif")
    page.goto(f"{server}/policy")
    assert_labelled(page)
    shot(page, "policy")
    page.goto(f"{server}/retro")
    assert_labelled(page)
    page.get_by_label("File (CSV, .csv.gz, NDJSON or Parquet)").set_input_files(str(FIXTURE))
    page.get_by_label("The department's state").fill("CA")
    page.get_by_role("button", name="Scan").click()
    expect(page.locator("#scan-summary")).to_contain_text("84 of 91 searches flagged")
    expect(page.locator("#flags")).to_contain_text("VAGUE_REASON")
    shot(page, "retro-results")
    page.get_by_role("link", name="Open the full report").click()
    expect(page.locator("svg").first).to_be_visible()
    shot(page, "retro-report")


def test_public_report_and_rights_in_english_and_spanish(server: str, page: Page) -> None:
    page.goto(f"{server}/report")
    expect(page.locator("h1")).to_have_text("Public transparency report")
    expect(page.locator("section.quarter").first).to_contain_text("Immigration detainers received")
    assert page.locator("figure svg").count() >= 2
    shot(page, "report-en")
    page.get_by_role("link", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("Informe público de transparencia")
    shot(page, "report-es")
    page.set_viewport_size(PHONE)
    assert fits(page)
    shot(page, "report-es-phone")
    page.get_by_role("link", name=re.compile("Lo que la policía hará y no hará")).first.click()
    expect(page.locator("h1")).to_contain_text("Lo que la policía de Chicago hará y no hará")
    expect(page.locator("ul.rights")).to_contain_text("MCC 2-173-020")
    shot(page, "rights-es-phone")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{server}/rights")
    expect(page.locator("ul.rights")).to_contain_text("The police do not assist civil immigration enforcement")
    shot(page, "rights-en")
    with page.expect_download() as download:
        page.goto(f"{server}/report")
        page.get_by_role("link", name="Download as CSV").click()
    assert download.value.suggested_filename == "transparency-report.csv"
