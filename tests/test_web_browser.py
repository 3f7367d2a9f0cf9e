"""The pages in headless Chromium (Debian's), against the real server started as a new user would.

`sanctuary decide --log` records the example requests, then `sanctuary serve --demo` starts on a free
loopback port; the tests walk through the README as each role (desk, oversight, the public) at 1366
and 390 px: the desk with the keyboard only, the oversight pages, the public pages in English and
Spanish. axe-core (tests/vendor/axe-core, from npm) is run on every page and no serious or critical
violation is allowed. A screenshot of every page goes to test-artifacts/screenshots/.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pypdf import PdfReader

from sanctuary.gateway.users import demo_password
from test_web_i18n import english_left

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
    """What `make run` runs, run by `make run` itself: the example requests recorded under the
    `chicago` jurisdiction, then `serve --demo --jurisdiction chicago` (its home in a temporary folder,
    on a free port); stopped as the README says, with Ctrl-C."""
    home = tmp_path_factory.mktemp("web-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANCTUARY_")}
    env.update({"PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"})
    out = home / "serve.out"
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            ["make", "-s", "run", "PORT=0", f"DEMO_HOME={home / 'var'}"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        url = None
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", out.read_text(errors="replace"))
            url = found.group(1) if found else None
            time.sleep(0.1)
        assert url, f"the server did not start: {out.read_text(errors='replace')[-2000:]}"
        printed = out.read_text(errors="replace")
        assert f"desk / {demo_password('desk')}" in printed  # the demo users are printed for a new user
        assert "Ctrl-C stops it" in printed and "one held request waits at the desk" in printed
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)


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


def main_text(page: Page) -> str:
    """The page's words as a reader meets them, without commands to type or values of the data (code)."""
    return page.evaluate(
        "() => { const m = document.querySelector('main').cloneNode(true);"
        " m.querySelectorAll('pre, code, svg').forEach(e => e.remove()); return m.textContent; }"
    )


def focused(page: Page) -> str:
    return page.evaluate("() => document.activeElement.id")


def has_focus(page: Page, element_id: str) -> None:
    """The element has focus, or gets it within 5 s: focus set on load (autofocus) or by a page's script
    after a request lands when the page is rendered, which on a busy machine can be just after."""
    try:
        page.wait_for_function("(id) => document.activeElement && document.activeElement.id === id", arg=element_id, timeout=5000)
    except PlaywrightTimeout:
        pass
    assert focused(page) == element_id


def tab_to(page: Page, element_id: str, most: int = 40) -> int:
    """Press Tab until the element has focus; returns how many presses it took."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if focused(page) == element_id:
            return presses
    raise AssertionError(f"{element_id} not reached with {most} Tab presses")


def send(page: Page, button: str, shown: str, text: str, first: str) -> None:
    """Tab to `button` and press Enter: the page that comes shows `text` in `shown`, the cursor on `first`."""
    tab_to(page, button)
    page.keyboard.press("Enter")
    expect(page.locator(shown)).to_contain_text(text)
    has_focus(page, first)


def sign_in(page: Page, url: str, role: str) -> None:
    """Sign in with the keyboard only: the name field has focus; Tab moves to the password, then the button."""
    page.goto(f"{url}/login")
    has_focus(page, "name")
    page.keyboard.type(role)
    page.keyboard.press("Tab")
    has_focus(page, "password")
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
    has_focus(page, "agency")  # the cursor is in the agency field
    check(page, "desk-1-who", width)
    page.keyboard.type("ICE-ERO")
    tab_to(page, "kind-custody_inquiry")
    page.keyboard.press("Space")
    send(page, "next", "h1", "Inquiry", "officer")
    check(page, "desk-2-details", width)
    page.keyboard.type("Agent Quincy Marsh")
    tab_to(page, "purpose_text")
    page.keyboard.type("wants to know when he gets out")
    tab_to(page, "subject_name")
    page.keyboard.type("Maria Lopez")
    tab_to(page, "subject_dob")
    assert page.locator("#subject_dob").get_attribute("type") == "date"  # a date picker; typed as a US date
    page.keyboard.type("03141988")
    tab_to(page, "topic_release_date")
    page.keyboard.press("Space")
    presses = tab_to(page, "decide")
    assert presses < 25  # not 47 stops: only this kind's questions are on the page
    page.keyboard.press("Enter")
    result = page.locator("#result")
    expect(result).to_contain_text("REFUSED")
    has_focus(page, "result")  # focus moved to the result
    expect(result.locator(".say")).to_contain_text("will not do this: MCC 2-173-020(a) forbids it")
    record = page.locator(".record")
    expect(record).to_contain_text("Maria Lopez")
    expect(record).to_contain_text("1988-03-14")
    expect(record).to_contain_text("(Central Time)")
    index = int(re.search(r"number (\d+)", record.inner_text()).group(1))
    assert index >= 38  # after the 37 example requests and the demo held one, recorded before the server listened
    assert page.locator("form[action='/desk']").count() == 0  # the result replaces the form
    check(page, "desk-3-result", width)
    page.reload()  # a reload shows the same result and records nothing new
    assert int(re.search(r"number (\d+)", page.locator(".record").inner_text()).group(1)) == index
    page.locator("#new-call").click()
    has_focus(page, "agency")
    # A vague caller: "Homeland Security" may be any of its units; the desk says so before anything is decided.
    page.keyboard.type("Homeland Security")
    tab_to(page, "kind-custody_inquiry")
    page.keyboard.press("Space")
    send(page, "next", "#identity-warning", "any of its units", "identity-warning")
    page.goto(f"{server}/desk?agency=FBI&kind=custody_inquiry")  # the FBI is read only as itself: no warning
    assert page.locator("#identity-warning").count() == 0
    # Bad input: the error is announced and focused, and names the field.
    page.goto(f"{server}/desk?agency=ICE-ERO&kind=database_query")
    page.locator("#search_type").select_option("plate")
    page.locator("#decide").click()
    expect(page.locator("#form-error")).to_contain_text("plate")
    has_focus(page, "form-error")
    check(page, "desk-error", width)
    # A typed federal criminal warrant: the request is held until the warrant is verified, and the result
    # offers the verification there and then.
    page.goto(f"{server}/desk?agency=ICE-HSI&kind=database_query")
    expect(page.locator("#doc1-counts")).to_contain_text("counts once it is verified")
    assert "I-247A immigration detainer" in page.locator("#doc1_type").inner_text()  # documents by name, not code
    type_the_warrant(page)
    page.locator("#decide").click()
    expect(page.locator("#result")).to_contain_text("ON HOLD")
    expect(page.locator("#say")).to_contain_text("5 ILCS 805/15")
    check(page, "desk-held-result", width)
    page.locator("#verified_0").check()
    page.locator("#how").fill("called the clerk of the U.S. District Court; warrant confirmed")
    page.locator("#resolve").click()
    expect(page.locator("#result")).to_contain_text("ALLOWED")
    expect(page.locator("#resolves")).to_contain_text("resolves held request")
    page.goto(f"{server}/desk/held")
    check(page, "desk-held-queue", width)
    # The practice request `make run` seeds waits in the queue; its page resolves it the same way.
    demo = page.locator("a[href^='/desk/held/H-']").first
    demo.click()
    expect(page.locator("h1")).to_contain_text("Held request")
    check(page, "desk-held-item", width)


def test_desk_enters_a_persons_own_request_with_the_keyboard_only(server: str, page: Page, width: str) -> None:
    """The person herself at the counter (docs/requests.md): ticked at step 1, her identification checked at
    step 2 and vouched for by the signed-in desk user; Chicago's law is silent on her: refused, and said why."""
    sign_in(page, server, "desk")
    has_focus(page, "agency")
    tab_to(page, "own")
    page.keyboard.press("Space")
    tab_to(page, "channel")
    for _ in range(2):
        page.keyboard.press("ArrowDown")
    assert page.locator("#channel").input_value() == "in_person"
    tab_to(page, "kind-custody_inquiry")
    kinds = [k.get_attribute("id") for k in page.locator("input[name='kind']").all()]
    page.keyboard.press("ArrowUp")  # the radio group wraps round to its last choice, then up to the database request
    has_focus(page, kinds[-1])
    for _ in range(len(kinds) - 1 - kinds.index("kind-database_query")):
        page.keyboard.press("ArrowUp")
    has_focus(page, "kind-database_query")
    send(page, "next", "h1", "Database request", "id_document")  # no caller to name: the identity check comes first
    check(page, "desk-own-2-identity", width)
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.locator("#id_document").input_value() == "passport"
    tab_to(page, "requester_person_id")
    page.keyboard.type("P0000001")
    tab_to(page, "subject_person_id")
    page.keyboard.type("P0000002")
    send(page, "decide", "#form-error", "may ask only for her own records", "form-error")
    page.locator("#subject_person_id").fill("P0000001")
    page.locator("#decide").click()
    result = page.locator("#result")
    expect(result).to_contain_text("REFUSED")
    expect(result.locator(".say")).to_contain_text("No law in force here lets the department give a person her own records")
    expect(page.locator(".record")).to_contain_text("Passport, checked at the desk by desk")
    check(page, "desk-own-3-result", width)


def type_the_warrant(page: Page) -> None:
    page.locator("#purpose_category").select_option("criminal")
    page.locator("#purpose_text").fill("narcotics trafficking investigation")
    page.locator("#subject_person_id").fill("P0000001")
    page.locator("#search_type").select_option("person")
    page.locator("#doc1_type").select_option("judicial_warrant")
    page.locator("#doc1_court").fill("United States District Court for the Northern District of Illinois")
    page.locator("#doc1_signed_by").fill("Hon. M. Rivera")
    page.locator("#doc1_signer_title").fill("U.S. Magistrate Judge")
    page.locator("#doc1_criminal").select_option("yes")


def test_oversight_filters_opens_a_proof_verifies_and_audits_an_export(server: str, page: Page, width: str) -> None:
    sign_in(page, server, "oversight")
    page.goto(f"{server}/decisions")
    page.get_by_label("Outcome").select_option("deny")
    page.get_by_label("Agency family").select_option("DHS: ICE")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"outcome=deny"))
    assert page.locator("table.list tbody tr").count() > 0
    check(page, "decisions-filtered", width)
    main = page.locator("main").inner_text()
    assert "ICE Enforcement and Removal Operations" in main and "ICE-ERO" not in main  # names, not codes
    with page.expect_download() as download:
        page.locator("#csv").click()
    assert download.value.suggested_filename == "sanctuary-staff-decisions.csv"
    rows = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("log_index,time_utc,requester,requester_name") and len(rows) - 1 == int(
        re.search(r"(\d+) of \d+ decisions? match", page.locator("#match-count").inner_text()).group(1)
    )
    page.goto(f"{server}/decisions")
    assert 38 <= page.locator("table.list tbody tr").count() <= 50  # a page of 50 at most (tests/test_web_pages.py pages on)
    page.goto(f"{server}/decisions?outcome=deny&family=DHS: ICE")
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
    heights: dict[str, int] = {}
    for lang in ("en", "es"):
        for path, name in (
            ("/", "home"),
            ("/report", "report"),
            ("/report/decisions", "report-decisions"),
            ("/report/dictionary", "report-dictionary"),
            ("/laws", "laws"),
            ("/laws/compare", "laws-compare"),
            ("/rights", "rights"),
            ("/verify", "verify"),
            ("/no-such-page", "error-404"),
        ):
            page.goto(f"{server}{path}?lang={lang}")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            check(page, f"{name}-{lang}", width)
            heights[f"{path}?lang={lang}"] = page.evaluate("document.documentElement.scrollHeight")
            if lang == "es":  # what the reader sees, as the browser renders it: no English title, name or code
                assert english_left(main_text(page)) == [], f"{path}: English on the Spanish page"
    if width == "phone":  # summarised first, the detail opened on demand (the report was 8,283 px, the list 26,519 px)
        assert heights["/report?lang=es"] < 5000 and heights["/report/decisions?lang=es"] < 20000, heights
    page.goto(f"{server}/report?lang=es")
    expect(page.locator("h1")).to_have_text("Informe público")
    page.goto(f"{server}/report?lang=en")
    expect(page.locator("#h-immigration")).to_be_visible()
    page.locator("#more-clause summary").click()  # the detail opens
    expect(page.locator("#more-clause .clause-counts")).to_be_visible()
    page.get_by_role("link", name="español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.goto(f"{server}/report/decisions")  # the language chosen stays chosen
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.locator("table.list .badge").first.inner_text() in ("Denegada", "Permitida", "En espera")  # one decision
    page.goto(f"{server}/rights?lang=en")
    expect(page.locator("ul.rights").first).to_contain_text("You do not have to answer questions")
    expect(page.locator("main")).to_contain_text("The police do not assist civil immigration enforcement")
    expect(page.locator("main")).to_contain_text("judicial criminal warrant")
    expect(page.locator("main")).to_contain_text("Demonstration: these contacts are made up")  # --demo contacts
    # What a person can do and whom to call come first; the contacts are one jump away on a phone.
    tops = {s: page.locator(s).bounding_box()["y"] for s in ("#can-do", "#contacts", "#will-not", "#words")}
    assert tops["#can-do"] < tops["#will-not"] and tops["#contacts"] < tops["#will-not"] < tops["#words"]
    jump = page.locator("#jump-contacts")
    assert jump.bounding_box()["y"] < WIDTHS[width]["height"]  # on the first screen
    jump.click()
    assert page.evaluate("document.querySelector('#contacts').getBoundingClientRect().top") < 50
    with page.expect_download() as download:
        page.goto(f"{server}/report?lang=en")
        page.get_by_role("link", name="Download the counts (CSV)").click()
    assert download.value.suggested_filename == "sanctuary-report.csv"
    # /verify serves the stand-alone verifier, the one whose SHA-256 the README publishes.
    served = page.request.get(f"{server}/verify/verify_log.py")
    published = re.search(r"^([0-9a-f]{64})  tools/verify_log.py$", (ROOT / "README.md").read_text(encoding="utf-8"), re.M)
    assert served.status == 200 and hashlib.sha256(served.body()).hexdigest() == published.group(1)


def outcome_of(page: Page, server: str, agency: str, kind: str, fill) -> None:  # noqa: ANN001 - fills the form
    page.goto(f"{server}/desk?agency={agency}&kind={kind}")
    fill(page)
    page.locator("#decide").click()
    expect(page.locator("#result")).to_be_visible()


REFUSAL = (
    "ICE-ERO",
    "custody_inquiry",
    lambda p: (p.fill("#subject_name", "Maria Lopez"), p.fill("#subject_dob", "1988-03-14"), p.check("#topic_release_date")),
)
ALLOWED_WITH_RECORD = (
    "FBI",
    "database_query",
    lambda p: (
        p.select_option("#purpose_category", "criminal"),
        p.fill("#subject_person_id", "P0000002"),
        p.select_option("#search_type", "warrant"),
    ),
)
ALLOWED_NO_RECORD = (
    "FBI",
    "database_query",
    lambda p: (
        p.select_option("#purpose_category", "criminal"),
        p.fill("#subject_name", "Nobody Known"),
        p.fill("#subject_dob", "1990-01-01"),
        p.select_option("#search_type", "warrant"),
    ),
)
HELD = ("ICE-HSI", "database_query", type_the_warrant)
LUMINANCE = """async (png) => {
  const img = new Image(); img.src = 'data:image/png;base64,' + png; await img.decode();
  const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data; let sum = 0;
  for (let i = 0; i < d.length; i += 4) sum += 0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2];
  return sum / (d.length / 4);
}"""


def test_the_desk_outcome_reads_at_a_glance_and_prints_on_one_page(server: str, page: Page, width: str, browser: Browser) -> None:
    """REFUSED, ALLOWED and ON HOLD apart without colour (a greyscale picture of each verdict differs
    in light, and each has its own symbol and shape) and by their accessible names; what to read out
    is two sentences, 40 words at most, naming the clause; no record found is said; the usual refusal
    and the usual allowed answer print on one US Letter page."""
    sign_in(page, server, "desk")
    seen: dict[str, dict] = {}
    blank = browser.new_page()
    for name, (agency, kind, fill) in (("deny", REFUSAL), ("permit", ALLOWED_WITH_RECORD), ("held", HELD), ("none", ALLOWED_NO_RECORD)):
        outcome_of(page, server, agency, kind, fill)
        verdict = page.locator("#verdict")
        shot = verdict.screenshot()  # its greyscale: the luminance of each pixel (LUMINANCE)
        seen[name] = {
            "word": page.locator("#result-title").inner_text(),
            "named": page.get_by_role("region", name=page.locator("#result-title").inner_text()).count(),
            "symbol": verdict.locator(".symbol").inner_text(),
            "shape": verdict.locator(".symbol").evaluate("e => getComputedStyle(e).borderRadius + ' ' + getComputedStyle(e).clipPath"),
            "light": blank.evaluate(LUMINANCE, base64.b64encode(shot).decode()),
            "say": page.locator("#say").inner_text(),
        }
        if name == "none":
            expect(page.locator("#no-record")).to_contain_text("No record found")
            assert "no record was found" in seen[name]["say"]
        if name == "permit":
            expect(page.locator("dl.released")).to_contain_text("Hon. Loretta Washington")  # fields, not JSON
            assert "{" not in page.locator("dl.released").inner_text() and "plate" not in seen[name]["say"].lower()
        if name in ("deny", "permit") and width == "desktop":
            pdf = page.pdf(format="Letter")
            assert len(PdfReader(io.BytesIO(pdf)).pages) == 1, f"the {name} record prints on more than one page"
        page.screenshot(path=str(SHOTS / f"desk-outcome-{name}-{width}.png"), full_page=True)
    blank.close()
    words = {n: s["word"] for n, s in seen.items()}
    assert all(s["named"] == 1 for s in seen.values())  # the result is a region named by its outcome
    assert words == {"deny": "REFUSED", "permit": "ALLOWED", "held": "ON HOLD", "none": "ALLOWED"}
    assert {seen[n]["symbol"] for n in ("deny", "permit", "held")} == {"✕", "✓", "‖"}
    assert len({seen[n]["shape"] for n in ("deny", "permit", "held")}) == 3
    for a, b in (("deny", "permit"), ("deny", "held"), ("permit", "held")):
        assert abs(seen[a]["light"] - seen[b]["light"]) > 20, f"{a} and {b} look alike in greyscale: {seen}"
    for name, s in seen.items():
        sentences = [x for x in re.split(r"(?<=[.!?])\s+", s["say"].strip()) if x]
        assert len(sentences) <= 2 and len(s["say"].split()) <= 40, f"{name}: too long to read out: {s['say']!r}"
    assert "MCC 2-173-020(a)" in seen["deny"]["say"] and "5 ILCS 805/15" in seen["held"]["say"]


def test_staff_pages_follow_the_browsers_language(server: str, browser: Browser) -> None:
    context = browser.new_context(locale="es-MX", extra_http_headers={"Accept-Language": "es-MX,es;q=0.9"})
    page = context.new_page()
    page.goto(f"{server}/login")
    page.fill("#name", "desk")
    page.fill("#password", demo_password("desk"))
    page.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_contain_text("Mostrador de solicitudes")
    outcome_of(page, server, *REFUSAL)
    expect(page.locator("#result-title")).to_have_text("DENEGADA")
    assert english_left(main_text(page).replace("ICE-ERO", "")) == []  # the agency as typed aside
    check(page, "desk-result-es", "desktop")
    context.close()
