"""The pages in headless Chromium (Debian's), against the real server started as a new user would.

`sanctuary decide --log` records the example requests, then `sanctuary serve --demo` starts on a free
loopback port; the tests walk through the README as each role (desk, oversight, the public) at 1366
and 390 px: the desk with the keyboard only, the oversight pages, the public pages in English and
Spanish. axe-core (tests/vendor/axe-core, from npm) is run on every page and no serious or critical
violation is allowed. A screenshot of every page goes to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
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
AXE = (ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


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


@pytest.fixture(params=list(WIDTHS))
def width(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def page(browser: Browser, width: str) -> Iterator[Page]:
    context = browser.new_context(viewport=WIDTHS[width])
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    errors: list[str] = []  # a script error or a blocked resource (the pages' CSP) shows up here
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert [e for e in errors if "responded with a status of 4" not in e] == []  # error pages log their status


def check(page: Page, name: str, width: str) -> None:
    """Every page: labelled controls, no serious or critical axe violation, fits a phone, a screenshot."""
    assert_labelled(page)
    page.evaluate(AXE)  # evaluated by the test driver, not loaded by the page: the page's CSP stays as it is
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")
    assert found == [], f"{page.url}: axe: {json.dumps(found)}"
    if width == "phone":
        assert fits(page), f"{page.url}: wider than the phone: {overflowing(page)}"
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


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


def overflowing(page: Page) -> list[str]:
    """The elements that stick out on the right (outside a box that scrolls by itself)."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .filter(e => !(e.parentElement && e.parentElement.closest('.scroll')))
        .slice(0, 5).map(e => e.tagName + '#' + e.id)""")


def focused(page: Page) -> str:
    return page.evaluate("() => document.activeElement.id")


def tab_to(page: Page, element_id: str, most: int = 40) -> int:
    """Press Tab until the element has focus; returns how many presses it took."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if focused(page) == element_id:
            return presses
    raise AssertionError(f"{element_id} not reached with {most} Tab presses")


def sign_in(page: Page, url: str, role: str) -> None:
    """Sign in with the keyboard only: the name field has focus; Tab moves to the password, then the button."""
    page.goto(f"{url}/login")
    assert focused(page) == "name"
    page.keyboard.type(role)
    page.keyboard.press("Tab")
    assert focused(page) == "password"
    page.keyboard.type(demo_password(role))
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Sign in"
    page.keyboard.press("Enter")
    expect(page.locator(".who")).to_contain_text(f"{role} ({role})")


def test_desk_officer_takes_a_call_with_the_keyboard_only(server: str, page: Page, width: str) -> None:
    page.goto(f"{server}/login")
    check(page, "login", width)
    page.goto(f"{server}/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"  # the first stop skips the menu
    sign_in(page, server, "desk")
    expect(page).to_have_url(f"{server}/desk")  # desk staff land on the desk
    assert focused(page) == "agency"  # the cursor is in the agency field
    check(page, "desk-1-who", width)
    page.keyboard.type("ICE-ERO")
    tab_to(page, "kind-custody_inquiry")
    page.keyboard.press("Space")
    tab_to(page, "next")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Inquiry")
    assert focused(page) == "officer"
    check(page, "desk-2-details", width)
    page.keyboard.type("Agent Quincy Marsh")
    tab_to(page, "purpose_text")
    page.keyboard.type("wants to know when he gets out")
    tab_to(page, "subject_name")
    page.keyboard.type("Maria Lopez")
    tab_to(page, "subject_dob")
    page.keyboard.type("1988-03-14")
    tab_to(page, "topic_release_date")
    page.keyboard.press("Space")
    presses = tab_to(page, "decide")
    assert presses < 25  # not 47 stops: only this kind's questions are on the page
    page.keyboard.press("Enter")
    result = page.locator("#result")
    expect(result).to_contain_text("REFUSED")
    assert focused(page) == "result"  # focus moved to the result
    expect(result).to_contain_text("MCC 2-173-020(a)(3)")
    expect(result.locator(".say")).to_contain_text("will not do this")
    record = page.locator(".record")
    expect(record).to_contain_text("Maria Lopez")
    expect(record).to_contain_text("Chicago time")
    index = int(re.search(r"number (\d+)", record.inner_text()).group(1))
    assert index >= 37  # after the 37 example requests recorded before the server started
    assert page.locator("form[action='/desk']").count() == 0  # the result replaces the form
    check(page, "desk-3-result", width)
    page.reload()  # a reload shows the same result and records nothing new
    assert int(re.search(r"number (\d+)", page.locator(".record").inner_text()).group(1)) == index
    page.locator("#new-call").click()
    assert focused(page) == "agency"
    # A vague caller: "Homeland Security" is a parent agency; the desk says so before anything is decided.
    page.keyboard.type("Homeland Security")
    tab_to(page, "kind-custody_inquiry")
    page.keyboard.press("Space")
    tab_to(page, "next")
    page.keyboard.press("Enter")
    expect(page.locator("#identity-warning")).to_contain_text("ambiguous")
    assert focused(page) == "identity-warning"
    # Bad input: the error is announced and focused, and names the field.
    page.goto(f"{server}/desk?agency=ICE-ERO&kind=database_query")
    page.locator("#search_type").select_option("plate")
    page.locator("#decide").click()
    expect(page.locator("#form-error")).to_contain_text("plate")
    assert focused(page) == "form-error"
    check(page, "desk-error", width)
    # A request a described court order could open is held; the officer verifies the order and resolves it.
    page.goto(f"{server}/desk?agency=ICE-ERO&kind=database_query")
    page.locator("#purpose_category").select_option("criminal")
    page.locator("#purpose_text").fill("retail theft ring")
    page.locator("#subject_person_id").fill("P0000001")
    page.locator("#search_type").select_option("person")
    page.locator("#doc1_type").select_option("court_order")
    page.locator("#doc1_court").fill("Circuit Court of Cook County")
    page.locator("#doc1_signed_by").fill("Judge A. Novak")
    page.locator("#decide").click()
    expect(page.locator("#result")).to_contain_text("ON HOLD")
    page.locator("#result a[href^='/desk/held/']").click()
    expect(page.locator("h1")).to_contain_text("Held request")
    check(page, "desk-held-item", width)
    page.locator("#verified_0").check()
    page.locator("#how").fill("called the clerk of the Circuit Court; order confirmed")
    page.locator("#resolve").click()
    expect(page.locator("#result")).to_contain_text("ALLOWED")
    expect(page.locator("#resolves")).to_contain_text("resolves held request")
    page.goto(f"{server}/desk/held")
    check(page, "desk-held-queue", width)


def test_oversight_filters_opens_a_proof_verifies_and_audits_an_export(server: str, page: Page, width: str) -> None:
    sign_in(page, server, "oversight")
    page.goto(f"{server}/decisions")
    page.get_by_label("Outcome").select_option("deny")
    page.get_by_label("Agency family").select_option("DHS: ICE")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"outcome=deny"))
    assert page.locator("table.list tbody tr").count() > 0
    check(page, "decisions-filtered", width)
    page.locator("table.list tbody tr a").first.click()
    expect(page.locator("#proof-result")).to_contain_text("Verified")
    check(page, "decision-proof", width)
    page.goto(f"{server}/audit")
    page.get_by_role("button", name="Run a full verification now").click()
    expect(page.locator("#verify-result")).to_contain_text("Passed")
    check(page, "audit", width)
    page.goto(f"{server}/policy/whatif?a=chicago-2019-mayoral&b=chicago-2019-proposed-eo")
    expect(page.locator("#whatif-count")).to_contain_text("would be decided differently")
    check(page, "whatif", width)
    page.goto(f"{server}/policy")
    check(page, "policy", width)
    page.goto(f"{server}/retro")
    page.get_by_label("File (CSV, .csv.gz, NDJSON or Parquet)").set_input_files(str(FIXTURE))
    page.get_by_label("The department's state").fill("CA")
    page.get_by_role("button", name="Scan").click()
    expect(page.locator("#scan-summary")).to_contain_text("84 of 91 searches flagged")
    check(page, "retro-results", width)
    page.get_by_role("link", name="Open the full report").click()
    expect(page.locator("h2").first).to_contain_text("Direct immigration flags")
    check(page, "retro-report", width)
    page.goto(f"{server}/retro")
    expect(page.locator("main")).to_contain_text("search_audit.a871b2fc.csv")  # earlier runs by file name


def test_the_public_record_in_english_and_spanish(server: str, page: Page, width: str) -> None:
    for lang in ("en", "es"):
        suffix = "" if lang == "en" else "?lang=es"
        for path, name in (
            ("/", "home"),
            ("/report", "report"),
            ("/report/decisions", "report-decisions"),
            ("/report/dictionary", "report-dictionary"),
            ("/laws", "laws"),
            ("/rights", "rights"),
            ("/verify", "verify"),
            ("/no-such-page", "error-404"),
        ):
            page.goto(f"{server}{path}{suffix}")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            check(page, f"{name}-{lang}", width)
    page.goto(f"{server}/report?lang=es")
    expect(page.locator("h1")).to_have_text("Informe público")
    page.goto(f"{server}/report")
    expect(page.locator("#h-immigration")).to_be_visible()
    page.get_by_role("link", name="español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.goto(f"{server}/rights")
    expect(page.locator("ul.rights").first).to_contain_text("The police do not assist civil immigration enforcement")
    expect(page.locator("main")).to_contain_text("judicial criminal warrant")
    expect(page.locator("main")).to_contain_text("Demonstration: these contacts are made up")  # --demo contacts
    with page.expect_download() as download:
        page.goto(f"{server}/report")
        page.get_by_role("link", name="Download the counts (CSV)").click()
    assert download.value.suggested_filename == "sanctuary-report.csv"
