"""The README's pictures, taken by a browser against the demo data: ``python -m devtools.screenshots``.

Loads the demo into a temporary embedded database (never the one `make run` uses), serves the app on a
free local port, and lets Debian's Chromium (driven by Playwright, never downloaded) log in as the demo
users and photograph:

- ``docs/img/case.png``: a caseworker's case page (the README's first picture);
- ``docs/img/legal-review.png``: the legal contact's review page of the demo case waiting for legal review,
  at its documents and assessments;
- ``docs/img/dashboard.png``: the manager's dashboard;
- ``docs/img/case-phone.png``: a case page on a 390 px wide phone.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
CHROMIUM = os.environ.get("AKTFLOW_CHROMIUM", "/usr/bin/chromium")


def main() -> int:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["AKTFLOW_INSTANCE"] = tmp
        os.environ.pop("AKTFLOW_DATABASE_URL", None)
        from aktflow import bootstrap
        from aktflow.config import load_settings
        from aktflow.db import upgrade
        from aktflow.demo import load_demo
        from web import create_app

        url = load_settings().resolved_database_url()
        upgrade(url)
        bootstrap.reset()
        load_demo(bootstrap.current().db)
        app = create_app({"DATABASE_URL": url})
        srv = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{srv.server_port}"
        OUT.mkdir(parents=True, exist_ok=True)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
                for user, path, name, viewport in (
                    ("sagsbehandler", None, "case", {"width": 1280, "height": 1000}),
                    ("jurist", None, "legal-review", {"width": 1280, "height": 1100}),
                    ("leder", "/dashboard", "dashboard", {"width": 1280, "height": 1000}),
                    ("sagsbehandler", None, "case-phone", {"width": 390, "height": 844}),
                ):
                    ctx = browser.new_context(
                        viewport=viewport, locale="da-DK", timezone_id="Europe/Copenhagen"
                    )
                    page = ctx.new_page()
                    page.goto(f"{base}/login")
                    page.get_by_label("Brugernavn").fill(user)
                    page.get_by_label("Adgangskode").fill("demo")
                    with page.expect_navigation():
                        page.get_by_role("button", name="Log ind").click()
                    if name == "legal-review":
                        page.get_by_role("link", name="Vurdér").first.click(no_wait_after=True)
                        page.wait_for_url("**/legal/cases/**", wait_until="domcontentloaded")
                        # the documents with their assessments, below the letters (a PDF frame draws
                        # nothing in a headless browser)
                        page.evaluate("document.getElementById('h-vurd').scrollIntoView()")
                    elif name in ("case", "case-phone"):
                        page.locator("table a[href^='/cases/']").first.click()
                        page.wait_for_url("**/cases/*", wait_until="domcontentloaded")
                    else:
                        page.goto(base + str(path))
                    page.wait_for_timeout(500)
                    page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
                    print(f"docs/img/{name}.png", file=sys.stderr)
                    ctx.close()
                browser.close()
        finally:
            srv.shutdown()
            bootstrap.current().db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
