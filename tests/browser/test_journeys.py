"""Three journeys in a real browser (Debian's Chromium driven by Playwright), each from the login page,
against the app served by a real HTTP server on 127.0.0.1 with its own SQLite database.

Screenshots of each journey's last page go to ``test-artifacts/`` (gitignored); the README's pictures are
taken by ``python -m devtools.screenshots``.
Never run ``playwright install``: the browser is the system's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from aktflow import clock
from aktflow.vocabulary import SYSTEM_ACTOR

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("AKTFLOW_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=da-DK",
]
PASSWORD = "test-pass"

pytestmark = pytest.mark.browser


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"under CI the browser tests must run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as p:
        yield p


@pytest.fixture
def server(sqlite_db):
    """The app on a real werkzeug server in a thread; the base URL."""
    yield from serve(sqlite_db)


def serve(sqlite_db, **config):
    """Serve the app (``config`` added to its settings) on a real werkzeug server in a thread: yields the
    base URL, stops the server after."""
    from werkzeug.serving import make_server

    from aktflow import kle
    from web import create_app

    kle.load_sample(sqlite_db, actor=SYSTEM_ACTOR)
    app = create_app({"SECRET_KEY": "browser-test", "DATABASE_URL": sqlite_db.url, **config})
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(5)
    app.extensions["aktflow_db"].dispose()


@pytest.fixture
def browser_page(playwright, tmp_path):
    """A page in a fresh Chromium profile (its own user-data dir), Danish locale, 1280 px wide."""
    ctx = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=ARGS,
        headless=True,
        locale="da-DK",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
        timezone_id="Europe/Copenhagen",
        env={**os.environ, "LANG": "da_DK.UTF-8", "LANGUAGE": "da"},
    )
    ctx.set_default_timeout(10_000)
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    ctx.close()
    assert not errors, errors  # no script errors, no blocked resources (CSP) on any page


def shot(page, name: str, *, full: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    return path


def login(page, base: str, username: str, *, keyboard: bool = False) -> None:
    page.goto(f"{base}/login")
    with page.expect_navigation():
        if keyboard:  # the whole form by keyboard: focus starts in the username field
            page.wait_for_function("document.activeElement && document.activeElement.id === 'username'")
            page.keyboard.type(username)
            page.keyboard.press("Tab")
            page.keyboard.type(PASSWORD)
            page.keyboard.press("Enter")
        else:
            page.get_by_label("Brugernavn").fill(username)
            page.get_by_label("Adgangskode").fill(PASSWORD)
            page.get_by_role("button", name="Log ind").click()
    assert "/login" not in page.url, page.locator(".flash").all_inner_texts()


def logout(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Log ud").click()
    assert page.url.endswith("/login")


def submit(page, button) -> None:
    """Click a submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        button.click()


def act(page, trigger: str) -> None:
    """Click the button of a workflow action and wait for the page that follows."""
    with page.expect_navigation():
        page.locator(f'button[data-trigger="{trigger}"]').first.click()


def flash(page) -> str:
    return " ".join(page.locator(".flash").all_inner_texts())


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def upload(page, title: str, filename: str, content: bytes) -> None:
    page.locator("#add-file").set_input_files({"name": filename, "mimeType": "text/plain", "buffer": content})
    page.locator("#add-title").fill(title)
    act(page, "add_document")
    assert "Tilføj dokument: udført" in flash(page), flash(page)


def test_a_caseworker_registers_collects_assesses_decides_and_downloads_the_letter(
    browser_page, server, tmp_path
):
    import docx
    from playwright.sync_api import expect

    page = browser_page
    login(page, server, "cw", keyboard=True)
    assert page.url.endswith("/cases")
    page.get_by_role("link", name="Ny anmodning").first.click()
    page.get_by_label("Navn").fill("Mette Hansen")
    page.get_by_label("E-mail til svar").fill("mette@example.dk")
    page.get_by_label("CPR-nummer").fill("010190-1234")
    page.get_by_label("Modtaget").fill(clock.today().isoformat())
    page.get_by_label("Retsgrundlag").select_option("ofl")
    page.get_by_label("Hvad der søges aktindsigt i").fill("Byggesagen for Havnevej 12 & tegningerne")
    emne = page.locator("#emne")
    emne.fill("byggetill")  # the KLE search suggests from the municipality's plan
    page.locator("#kle-list option").first.wait_for(state="attached")
    assert page.locator("#kle-list option").first.get_attribute("value") == "02.34.02"
    emne.fill("02.34.02")
    expect(page.locator("#kle-title")).to_contain_text("Byggetilladelser")
    submit(page, page.get_by_role("button", name="Registrér anmodning"))
    assert "registreret som sag" in flash(page)
    assert "1234" not in page.url
    case_url = page.url
    act(page, "register")
    assert "Opret sag i arkivet: udført" in flash(page)
    sagsnummer = page.locator("h1 small").inner_text().strip()
    assert sagsnummer.startswith("02.34.02-A53-")
    act(page, "start_collecting")
    upload(page, "Byggetilladelse", "tilladelse.txt", b"Byggetilladelse til carport, Havnevej 12.")
    upload(page, "Intern mail om sagen", "mail.txt", "Intern drøftelse af sagens vurdering.".encode())
    assert page.locator("li.doc").count() == 2
    act(page, "start_screening")
    # Each document is assessed on its own page, the one form there (the case page links to it).
    submit(page, page.locator("li.doc").nth(0).get_by_role("link", name="Vurdér dokumentet"))
    form = page.locator("form.assess")
    form.get_by_label("Udleveres", exact=True).check()
    submit(page, form.get_by_role("button", name="Gem vurdering"))
    assert "Vurdér dokument: udført" in flash(page)
    submit(page, page.get_by_role("link", name="Næste ikke vurderede dokument (nr. 2)"))
    form = page.locator("form.assess")
    form.get_by_label("Udleveres delvis").check()
    form.locator("input[name=grounds][value=ofl-23]").check()
    form.locator("textarea[name=reason]").fill("Interne overvejelser er overstreget.")
    assert form.locator(".audience.internal").count() == 1  # the internal note says it never reaches a letter
    form.locator("textarea[name=internal_note]").fill("Drøftet med teamlederen")
    submit(page, form.get_by_role("button", name="Gem vurdering"))
    assert "Vurdér dokument: udført" in flash(page)
    submit(page, page.get_by_role("link", name=re.compile(r"^← Sag #")))
    assert page.locator(".outcome.partial").count() == 1
    assert "OFL § 23" in page.locator("li.doc").nth(1).inner_text()
    # Released in part: the withheld passage is redacted on the document's page (docs/redaction.md).
    page.goto(
        server + page.locator("li.doc").nth(1).locator("a[href*='/documents/']").first.get_attribute("href")
    )
    page.locator("#redact-term").fill("Intern drøftelse")
    page.locator("#redact-ground").select_option("ofl-23")
    act(page, "redact")
    assert "Overstreg: udført" in flash(page), flash(page)
    page.goto(case_url)
    act(page, "draft_decision")
    assert page.locator(".state.big").inner_text() == "Afgørelse under udarbejdelse"
    page.locator("#send_decision-note").fill("Anmodningen er forstået som byggesagens dokumenter.")
    # The decision is sent from its preview: the case page offers the letter first, not the send.
    assert page.locator('button[data-trigger="send_decision"]').count() == 0
    with page.expect_navigation():
        page.locator('button[data-preview="send_decision"]').click()
    assert "brevet, som det sendes" in page.locator("h1").inner_text()
    seen = page.locator("[data-letter-sha256]").inner_text()
    if page.locator("iframe[data-letter-preview]").count():  # LibreOffice on the server: the PDF is shown
        pdf_url = page.locator("iframe[data-letter-preview]").get_attribute("src")
        pdf = page.request.get(f"{server}{pdf_url}")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["x-letter-sha256"] == seen
    act(page, "send_decision")
    assert page.locator(".state.big").inner_text() == "Afgørelse sendt"
    row = page.locator("#breve tr", has_text="Afgørelse")
    with page.expect_download() as info:
        row.get_by_role("link", name="Word (.docx)").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == seen  # the letter seen is the letter sent
    d = docx.Document(str(path))
    text = "\n".join(
        [p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells]
    )
    assert sagsnummer in text and "Havnevej 12 & tegningerne" in text
    page.goto(case_url)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "journey-a-case")
    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet
    assert no_horizontal_scroll(page)
    shot(page, "journey-a-case-768")


def test_b_cpr_number_flags_the_case_legal_returns_it_once_then_approves(browser_page, server, sqlite_db):
    from aktflow.service import create_case, fire

    case = create_case(
        sqlite_db,
        actor="cw",
        requester="Lokalavisen",
        received=clock.today().isoformat(),
        basis="ofl",
        subject="Korrespondance om plejehjemmet",
        emne="27.12.04",
        assign="cw",
    )
    for t in ("register", "start_collecting"):
        fire(sqlite_db, case.id, t, actor="cw")
    page = browser_page
    login(page, server, "cw")
    page.get_by_role("link", name=f"#{case.id}").click()
    upload(page, "Klage fra pårørende", "klage.txt", "Min mor, CPR 010190-1234, får ikke hjælp.".encode())
    flags = page.locator(".flags").inner_text()
    assert "CPR-nummer" in flags and "010190-1234" not in page.content()
    act(page, "start_screening")
    submit(page, page.locator("li.doc").first.get_by_role("link", name="Vurdér dokumentet"))
    page.locator("form.assess").get_by_label("Udleveres", exact=True).check()  # no outcome chosen in advance
    submit(page, page.locator("form.assess").get_by_role("button", name="Gem vurdering"))
    submit(page, page.get_by_role("link", name=re.compile(r"^← Sag #")))
    # The decision cannot be drafted yet: named with its reason under "Venter", never a dead button.
    assert page.locator('button[data-trigger="draft_decision"]').count() == 0
    assert "markeret til juridisk vurdering" in page.locator("#why-draft_decision").inner_text()
    page.locator("#submit_for_legal_review-note").fill("Må klagen udleveres med navnet?")
    act(page, "submit_for_legal_review")
    assert page.locator(".state.big").inner_text() == "Juridisk vurdering"
    logout(page)

    login(page, server, "legal")
    assert page.url.endswith("/legal")
    page.get_by_role("link", name="Vurdér").click()
    assert "Må klagen udleveres med navnet?" in page.inner_text("main")
    assert "CPR-nummer" in page.locator(".flaglist").inner_text()
    page.get_by_label("Kommentar til sagsbehandleren").fill("Overstreg CPR-nummeret og morens navn.")
    submit(page, page.get_by_role("button", name="Send tilbage til gennemgang"))
    assert page.url.endswith("/legal") and "Send tilbage til gennemgang: udført" in flash(page)
    assert "Ingen sager venter" in page.inner_text("main")
    logout(page)

    login(page, server, "cw")
    page.get_by_role("link", name=f"#{case.id}").click()
    assert page.locator(".state.big").inner_text() == "Fortrolighedsgennemgang"
    assert "Overstreg CPR-nummeret og morens navn." in page.locator(".timeline").inner_text()
    returned = page.locator('[data-banner="returned"]').inner_text()
    assert "Returneret af juridisk kontakt" in returned and "Lise Legal" in returned
    assert "Overstreg CPR-nummeret og morens navn." in returned
    act(page, "submit_for_legal_review")
    logout(page)

    login(page, server, "legal")
    page.get_by_role("link", name="Vurdér").click()
    page.get_by_label("Kommentar (valgfri)").fill("Godkendt med overstregning.")
    submit(page, page.get_by_role("button", name="Godkend (juridisk)"))
    assert "Godkend (juridisk): udført" in flash(page)
    page.goto(f"{server}/cases/{case.id}")
    assert page.locator(".state.big").inner_text() == "Afgørelse under udarbejdelse"
    assert page.locator(".flags").count() == 0
    assert "Godkendt af Lise Legal den" in page.locator('[data-banner="approved"]').inner_text()
    shot(page, "journey-b-approved")


def test_c_manager_sees_an_overdue_case_reassigns_it_and_exports_csv(
    browser_page, server, sqlite_db, tmp_path
):
    from aktflow.calendar import get_calendar
    from aktflow.service import create_case, fire

    received = get_calendar().add_working_days(clock.today(), -12)
    case = create_case(
        sqlite_db,
        actor="cw",
        requester="Jens Jensen",
        received=received.isoformat(),
        basis="ofl",
        subject="Vejbelysning på Strandvejen",
        emne="05.01.08",
        assign="cw",
    )
    fire(sqlite_db, case.id, "register", actor="cw")
    page = browser_page
    login(page, server, "manager")
    assert page.url.endswith("/dashboard")
    assert int(page.locator('[data-kpi="overdue"]').inner_text()) == 1
    assert int(page.locator('[data-kpi="missing_notice"]').inner_text()) == 1
    row = page.locator(f'tr[data-case="{case.id}"]')
    assert "Overskredet" in row.inner_text() and "Carla Caseworker" in row.inner_text()
    row.get_by_label(f"Ny sagsbehandler for sag {case.id}").select_option("cw2")
    submit(page, row.get_by_role("button", name="Fordel"))
    assert "Fordel sag: udført" in flash(page)
    assert "Claus Caseworker" in page.locator(f'tr[data-case="{case.id}"]').inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Åbne sager (CSV)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    mine = next(r for r in rows if r["Sag"] == str(case.id))
    assert mine["Sagsbehandler"] == "Claus Caseworker" and mine["Fristens status"] == "Overskredet"
    shot(page, "journey-c-dashboard")
    page.set_viewport_size({"width": 768, "height": 1024})
    assert no_horizontal_scroll(page)
    shot(page, "journey-c-dashboard-768")
