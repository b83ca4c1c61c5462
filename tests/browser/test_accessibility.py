"""Every main page, for each role, in a real browser: WCAG 2.1 A and AA checked by axe-core (vendored in
``tests/browser/vendor/``, injected by Playwright, never fetched), no horizontal scrolling on a 390 px
wide phone (390×844) and at 200 % zoom (a 1280 px window zoomed to 200 % lays out 640 CSS px).

The pages are read with the data of one case in legal review: a document with a file released in part
(a redaction), another refused, a deadline, a comment from the legal contact.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aktflow import clock
from aktflow.documents import Attachment
from tests.assessing import texts_for
from tests.browser import test_journeys as journeys
from tests.browser.test_journeys import ARGS, CHROMIUM, PASSWORD, shot

# The journeys' fixture: the browser.
playwright = journeys.playwright

#: The request limit of the served app: small, so that the "file too large" page can be reached.
UPLOAD_LIMIT = 256 * 1024


@pytest.fixture
def server(sqlite_db):
    """The app served as in the journeys, with a small upload limit (:data:`UPLOAD_LIMIT`)."""
    yield from journeys.serve(sqlite_db, MAX_CONTENT_LENGTH=UPLOAD_LIMIT)


pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Each role's main pages ({case}, {doc}: the case in legal review and its document; {open}, {pdf}: a case
#: in review with a PDF; filled in from the seeded cases). :data:`TOO_LARGE` is the page a too large file
#: answers with (reached by sending one).
TOO_LARGE = "413"
PAGES = {
    "cw": [
        "/cases?mine=1",
        "/cases?mine=0",
        "/cases/new",  # with the e-mail import (the mail intake form)
        "/cases/{case}",
        "/cases/{case}/documents/{doc}",
        "/cases/{open}?valgt={pdf}#vurder-valgte",  # the bulk assessment, open with a document chosen
        "/cases/{open}/documents/{pdf}",  # the inline viewer
        "/search?q=Lokalavisen",
        "/search?state=screening&sort=due&dir=desc",
        "/search?q=120385-1237",  # refused: the message beside the field
        "/dispatches/not-sent",
        "/workflow",
        "/mail/failures",
        TOO_LARGE,
    ],
    "legal": [
        "/legal",
        "/legal?sort=assignee",
        "/legal/cases/{case}",
        "/cases/{case}",
        "/cases/{case}/access-log",
    ],
    "manager": [
        "/dashboard",
        "/dashboard?start=01.01.2020&end={today}",
        "/dashboard?start=nonsens",
        "/dashboard?sort=state&dir=desc",
        "/cases?mine=0",
        "/cases/{case}/access-log",
        "/dispatches/not-sent",
    ],
    "admin": ["/admin", "/admin/audit", "/dashboard", "/legal", "/legal/cases/{case}"],
}


def seed(db) -> dict[str, int]:
    """One case in legal review with two documents (one partly released with a redaction, one refused),
    a question and a comment from the legal contact."""
    from aktflow import review_comments
    from aktflow.service import create_case, fire

    case = create_case(
        db,
        actor="cw",
        requester="Lokalavisen",
        received=clock.today().isoformat(),
        basis="ofl",
        subject="Korrespondance om plejehjemmet Solbakken",
        emne="27.12.04",
        assign="cw",
    )
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    docs = []
    for title, text in (
        ("Klage fra pårørende", "Klage over plejen. Intern vurdering: personalet var presset."),
        ("Lægeerklæring", "Borgeren har en diagnose."),
    ):
        att = Attachment(f"{title[:6]}.txt", text.encode())
        docs.append(fire(db, case.id, "add_document", actor="cw", data={"title": title}, attachment=att))
    ids = [c.documents[-1].id for c in docs]
    fire(db, case.id, "start_screening", actor="cw")
    for doc, outcome, grounds in ((ids[0], "partial", ["ofl-23"]), (ids[1], "refuse", ["ofl-30-1"])):
        data = {"document_id": doc, "outcome": outcome, "grounds": grounds, **texts_for(outcome, grounds)}
        fire(db, case.id, "assess_document", actor="cw", data=data)
    fire(
        db,
        case.id,
        "redact",
        actor="cw",
        data={"document_id": ids[0], "term": "Intern vurdering", "ground": "ofl-23"},
    )
    fire(db, case.id, "submit_for_legal_review", actor="cw", note="Må klagen udleveres delvis?")
    review_comments.add_comment(
        db, actor="legal", case_id=case.id, document_id=ids[0], text="Overstreg også navnet."
    )
    # A second case, in review, with a PDF (the viewer) and a text file.
    other = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=clock.today().isoformat(),
        basis="ofl",
        subject="Byggesag på Havnevej",
        emne="02.34.02",
        assign="cw",
    )
    for t in ("register", "start_collecting"):
        fire(db, other.id, t, actor="cw")
    pdf = (
        fire(
            db,
            other.id,
            "add_document",
            actor="cw",
            data={"title": "Byggetilladelse"},
            attachment=Attachment("tilladelse.pdf", _pdf("Tilladelse til carport")),
        )
        .documents[-1]
        .id
    )
    fire(
        db,
        other.id,
        "add_document",
        actor="cw",
        data={"title": "Notat"},
        attachment=Attachment("n.txt", b"Notat"),
    )
    fire(db, other.id, "start_screening", actor="cw")
    return {"case": case.id, "doc": ids[0], "open": other.id, "pdf": pdf}


def _pdf(text: str) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text)
    return doc.tobytes()


#: Send a file larger than the limit through a form of the page (the server answers with its 413 page).
SEND_TOO_LARGE = """([action, size]) => {
  const form = document.createElement("form");
  form.method = "post"; form.enctype = "multipart/form-data"; form.action = action;
  const input = document.createElement("input"); input.type = "file"; input.name = "files";
  const dt = new DataTransfer();
  dt.items.add(new File([new Uint8Array(size)], "for-stor.txt", {type: "text/plain"}));
  input.files = dt.files; form.appendChild(input); document.body.appendChild(form); form.submit();
}"""


def visit(page, base: str, url: str, ids: dict[str, int]) -> None:
    """Open ``url`` (or, for :data:`TOO_LARGE`, send a too large file to the open case's upload)."""
    if url != TOO_LARGE:
        page.goto(base + url)
        return
    page.goto(f"{base}/cases/{ids['open']}")
    with page.expect_navigation():
        page.evaluate(SEND_TOO_LARGE, [f"/cases/{ids['open']}/documents/upload", UPLOAD_LIMIT + 1024])
    assert "Filen er for stor" in page.content()


def urls(role: str, ids: dict[str, int]) -> list[str]:
    today = clock.today().strftime("%d.%m.%Y")
    return [u.format(today=today, **ids) for u in PAGES[role]]


def open_context(playwright, tmp_path, **viewport):
    import os

    return playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=ARGS,
        headless=True,
        locale="da-DK",
        timezone_id="Europe/Copenhagen",
        env={**os.environ, "LANG": "da_DK.UTF-8", "LANGUAGE": "da"},
        **viewport,
    )


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind").click()
    assert "/login" not in page.url


def axe_violations(page) -> list[str]:
    """Run axe-core on the page (WCAG 2.x A and AA rules): one line per violation and element."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(
            AXE.read_text(encoding="utf-8")
        )  # through the DevTools protocol: no CSP exception needed
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {node['target']} {node.get('failureSummary', '')[:160]}"
        for v in result["violations"]
        for node in v["nodes"]
    ]


def overflow(page) -> str | None:
    """None when the page needs no horizontal scrolling, else the widest elements that stick out."""
    ok = page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    if ok:
        return None
    wide = page.evaluate(
        """() => { const w = document.documentElement.clientWidth; const out = [];
        for (const el of document.querySelectorAll('body *')) { const r = el.getBoundingClientRect();
          if (r.right > w + 1 && getComputedStyle(el).position !== 'fixed') {
            let inScroller = false;
            for (let p = el.parentElement; p; p = p.parentElement) {
              const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') { inScroller = true; break; } }
            if (!inScroller) out.push(el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className + ' ' + Math.round(r.right)); }
        } return out.slice(0, 8); }"""
    )
    return json.dumps(wide, ensure_ascii=False)


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_main_page_meets_wcag_aa_for_each_role(playwright, server, sqlite_db, tmp_path, role):
    ids = seed(sqlite_db)
    ctx = open_context(playwright, tmp_path, viewport={"width": 1280, "height": 900})
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.goto(f"{server}/login")
        problems = {"/login": axe_violations(page)}
        login(page, server, role)
        for url in urls(role, ids):
            visit(page, server, url, ids)
            problems[url] = axe_violations(page)
    finally:
        ctx.close()
    found = {u: v for u, v in problems.items() if v}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


@pytest.mark.parametrize(
    ("name", "viewport"),
    [
        (
            "390",
            {
                "viewport": {"width": 390, "height": 844},
                "device_scale_factor": 3,
                "is_mobile": True,
                "has_touch": True,
            },
        ),
        ("zoom200", {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}),
    ],
)
def test_no_horizontal_scrolling_on_a_phone_and_at_200_percent(
    playwright, server, sqlite_db, tmp_path, name, viewport
):
    ids = seed(sqlite_db)
    found: dict[str, str] = {}
    for role in sorted(PAGES):
        ctx = open_context(playwright, tmp_path / role, **viewport)
        try:
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.goto(f"{server}/login")
            if (o := overflow(page)) is not None:
                found["/login"] = o
            login(page, server, role)
            for url in urls(role, ids):
                visit(page, server, url, ids)
                if (o := overflow(page)) is not None:
                    found[f"{role} {url}"] = o
            if role == "legal":
                page.goto(server + f"/legal/cases/{ids['case']}")
                shot(page, f"legal-review-{name}")
        finally:
            ctx.close()
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
