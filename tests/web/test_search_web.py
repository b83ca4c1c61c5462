"""The search page and the header's search field, and the sortable case list."""

from __future__ import annotations

import re

from aktflow.service import fire
from tests.web.test_web_pages import login, text_of


def test_every_page_has_the_search_field(client, db, new_case):
    case = new_case()
    login(client, "legal")
    for path in ("/cases", f"/cases/{case.id}", "/workflow", "/legal"):
        html = text_of(client.get(path))
        assert 'role="search"' in html and 'id="header-q"' in html and 'action="/search"' in html, path


def test_search_finds_by_requester_and_sagsnummer(client, db, new_case):
    a = new_case(requester="Mette Hansen")
    b = new_case(requester="Ole Sørensen")
    fire(db, b.id, "register", actor="cw")
    login(client, "cw")
    html = text_of(client.get("/search?q=hansen"))
    assert f'href="/cases/{a.id}"' in html and f'href="/cases/{b.id}"' not in html
    assert "1 sag fundet" in html
    page = text_of(client.get(f"/cases/{b.id}"))
    nr = re.search(r"<small>([^<]+)</small>", page).group(1).strip()
    html = text_of(client.get("/search", query_string={"q": nr}))
    assert f'href="/cases/{b.id}"' in html and f'href="/cases/{a.id}"' not in html


def test_a_cpr_query_is_refused_with_a_message_next_to_the_field(client, db, new_case):
    new_case(requester="Anna 120385-1237")
    login(client, "cw")
    r = client.get("/search?q=120385-1237&state=received")
    assert r.status_code == 303 and "120385" not in r.headers["Location"]
    assert "state=received" in r.headers["Location"]
    html = text_of(client.get(r.headers["Location"]))
    assert "Der kan ikke søges på CPR-numre" in html and 'aria-invalid="true"' in html
    assert "120385" not in html and "1237" not in html


def test_filters_and_sort_links_with_aria_sort(client, db, new_case):
    a = new_case(requester="Bent", basis="fvl")
    b = new_case(requester="Anne")
    login(client, "cw")
    html = text_of(client.get("/search?basis=fvl"))
    assert f'href="/cases/{a.id}"' in html and f'href="/cases/{b.id}"' not in html
    html = text_of(client.get("/search?which=all&sort=requester"))
    assert html.index(f'href="/cases/{b.id}"') < html.index(f'href="/cases/{a.id}"')
    assert re.search(
        r'aria-sort="ascending"><a class="sort" href="[^"]*sort=requester&amp;dir=desc', html
    ) or ('aria-sort="ascending"' in html)
    html = text_of(client.get("/search?which=all&sort=requester&dir=desc"))
    assert html.index(f'href="/cases/{a.id}"') < html.index(f'href="/cases/{b.id}"')
    assert 'aria-sort="descending"' in html


def test_the_case_list_sorts_by_its_columns(client, db, new_case):
    a = new_case(requester="Bent")
    b = new_case(requester="Anne")
    login(client, "cw")
    html = text_of(client.get("/cases?mine=0"))
    assert "aria-sort" not in html and 'data-sort="requester"' in html
    html = text_of(client.get("/cases?mine=0&sort=requester"))
    assert 'aria-sort="ascending"' in html
    assert html.index(f'href="/cases/{b.id}"') < html.index(f'href="/cases/{a.id}"')
    html = text_of(client.get("/cases?mine=0&sort=requester&dir=desc"))
    assert html.index(f'href="/cases/{a.id}"') < html.index(f'href="/cases/{b.id}"')
