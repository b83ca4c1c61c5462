"""The manager's dashboard: figures checked against a known set of cases, filters, reassign, CSV.

The seeded cases (dates counted in working days back from today, so the figures hold on any day):
    A  cw   registered, received 20 wd ago, no fristbrev       → overdue, missing fristbrev
    B  cw2  registered, received 20 wd ago, fristbrev sent     → overdue
    C  cw   received 6 wd ago (decision due in 1 wd)            → due soon
    D  cw   decided 3 wd after receipt (30 wd ago); complaint upheld by the appeal body → closed
            two documents: partial [ofl-23], refuse [ofl-23, ofl-27-1]
    E  cw   decided 9 wd after receipt (25 wd ago)              → late decision
    F  cw2  FVL, decided 2 wd after receipt (15 wd ago)          → in time
    G  cw   withdrawn at once (20 wd ago)                      → not open, no alerts
    H  —    received today, unassigned
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest

from aktflow import clock
from aktflow.calendar import get_calendar
from aktflow.queries import dashboard as read
from aktflow.queries import users as users_q
from aktflow.service import case_view, create_case, fire
from tests.assessing import texts_for

PASSWORD = "test-pass"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def text_of(resp) -> str:
    return unescape(resp.get_data(as_text=True))


def login(client, username: str):
    page = client.get("/login").get_data(as_text=True)
    return client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": CSRF_RE.search(page).group(1)},
    )


def at(d: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(hour), dt.UTC)


@pytest.fixture
def seeded(db):
    cal = get_calendar()
    today = clock.today()

    def back(n: int) -> dt.date:
        return cal.add_working_days(today, -n)

    def new(received: dt.date, assign: str | None, basis: str = "ofl", subject: str = "Sag") -> int:
        return create_case(
            db,
            actor="cw",
            requester="Anmoder",
            received=received.isoformat(),
            basis=basis,
            subject=subject,
            emne="02.34.02",
            assign=assign,
            now=at(received),
        ).id

    def decide(
        cid: int, received: dt.date, after: int, docs: list[tuple[str, list[str]]], by: str = "cw"
    ) -> dt.date:
        # Fired by the case's own caseworker ``by``: only they (or a manager) act on it (docs/access.md).
        when = cal.add_working_days(received, after)
        for t in ("register", "start_collecting"):
            fire(db, cid, t, actor=by, now=at(when, 8))
        ids = [
            fire(db, cid, "add_document", actor=by, data={"title": f"Dok {i}"}, now=at(when, 8))
            .documents[-1]
            .id
            for i in range(len(docs))
        ]
        fire(db, cid, "start_screening", actor=by, now=at(when, 8))
        for doc_id, (outcome, grounds) in zip(ids, docs, strict=False):
            fire(
                db,
                cid,
                "assess_document",
                actor=by,
                now=at(when, 8),
                data={
                    "document_id": doc_id,
                    "outcome": outcome,
                    "grounds": grounds,
                    **texts_for(outcome, grounds),
                },
            )
        fire(db, cid, "draft_decision", actor=by, now=at(when, 9))
        fire(db, cid, "send_decision", actor=by, now=at(when, 10))
        return when

    ids = {}
    r = back(20)
    ids["A"] = new(r, "cw", subject='=HYPERLINK("x") Sag A')
    fire(db, ids["A"], "register", actor="cw", now=at(r, 10))
    ids["B"] = new(r, "cw2", subject="Sag B")
    fire(db, ids["B"], "register", actor="cw2", now=at(r, 10))
    sent = cal.add_working_days(r, 2)
    fire(
        db,
        ids["B"],
        "send_deadline_notice",
        actor="cw2",
        now=at(sent),
        data={"reason": "Mange dokumenter", "expected": (today + dt.timedelta(days=10)).isoformat()},
    )
    ids["C"] = new(back(6), "cw", subject="Sag C")
    rd = back(30)
    ids["D"] = new(rd, "cw", subject="Sag D")
    d_done = decide(ids["D"], rd, 3, [("partial", ["ofl-23"]), ("refuse", ["ofl-23", "ofl-27-1"])])
    for i, t in enumerate(("receive_complaint", "uphold_and_forward", "appeal_decided")):
        fire(db, ids["D"], t, actor="cw", now=at(cal.add_working_days(d_done, 2 + i)))
    re_ = back(25)
    ids["E"] = new(re_, "cw", subject="Sag E")
    e_done = decide(ids["E"], re_, 9, [("grant", [])])
    rf = back(15)
    ids["F"] = new(rf, "cw2", basis="fvl", subject="Sag F")
    f_done = decide(ids["F"], rf, 2, [("grant", [])], by="cw2")
    ids["G"] = new(back(20), "cw", subject="Sag G")
    fire(db, ids["G"], "withdraw", actor="cw", now=at(back(20), 11))
    ids["H"] = new(today, None, subject="Sag H")
    return {"ids": ids, "today": today, "done": {"D": d_done, "E": e_done, "F": f_done}}


def test_figures_match_the_seeded_cases(db, seeded):
    today, ids = seeded["today"], seeded["ids"]
    f = read.Filters.default(today)
    with db.session() as s:
        o = read.overview(s, today, f)
        users = {u.username: u.id for u in users_q.assignable_users(s)}
    assert o["alert_counts"] == {"overdue": 2, "due_soon": 1, "missing_notice": 1}
    kinds = {a["id"]: sorted(a["kinds"]) for a in o["alerts"]}
    assert kinds == {ids["A"]: ["missing_notice", "overdue"], ids["B"]: ["overdue"], ids["C"]: ["due_soon"]}
    assert [a["id"] for a in o["alerts"]][-1] == ids["C"]  # overdue first, due soon last
    by_state = {r["state"]: r["count"] for r in o["open_by_state"] if r["count"]}
    assert by_state == {"received": 2, "registered": 2, "decided": 2}
    load = {(w["username"], w["open"], w["overdue"]) for w in o["workload"]}
    assert load == {("cw", 3, 1), ("cw2", 2, 1), (None, 1, 0)}
    months = {m["month"]: (m["decided"], m["in_time"]) for m in o["decided_in_time"] if m["decided"]}
    expected: dict[dt.date, list[int]] = {}
    for key, ok in (("D", 1), ("E", 0), ("F", 1)):
        mm = seeded["done"][key].replace(day=1)
        expected.setdefault(mm, [0, 0])
        expected[mm][0] += 1
        expected[mm][1] += ok
    assert months == {k: tuple(v) for k, v in expected.items()}
    assert len(o["decided_in_time"]) == 12
    assert {g["code"]: g["count"] for g in o["grounds"]} == {"ofl-23": 2, "ofl-27-1": 1}
    assert o["complaints"] == {
        "received": 1,
        "revised": 0,
        "forwarded": 1,
        "upheld": 1,
        "overturned": 0,
        "awaiting_reconsideration": 0,
        "at_appeal_body": 0,
    }
    # filters
    with db.session() as s:
        fvl = read.overview(s, today, read.Filters(basis="fvl", start=f.start, end=f.end))
        cw2 = read.overview(s, today, read.Filters(assignee_id=users["cw2"], start=f.start, end=f.end))
        none = read.overview(s, today, read.Filters(assignee_id=0, start=f.start, end=f.end))
    assert fvl["alert_counts"] == {"overdue": 0, "due_soon": 0, "missing_notice": 0}
    assert sum(m["decided"] for m in fvl["decided_in_time"]) == 1 and fvl["grounds"] == []
    assert cw2["alert_counts"] == {"overdue": 1, "due_soon": 0, "missing_notice": 0}
    assert {r["state"]: r["count"] for r in none["open_by_state"] if r["count"]} == {"received": 1}
    # a period that ends before the decisions: none of them
    with db.session() as s:
        early = read.overview(
            s, today, read.Filters(start=today - dt.timedelta(days=800), end=today - dt.timedelta(days=400))
        )
    assert sum(m["decided"] for m in early["decided_in_time"]) == 0 and early["complaints"]["received"] == 0


def test_dashboard_page_shows_the_figures(client, db, seeded):
    ids = seeded["ids"]
    login(client, "manager")
    html = text_of(client.get("/dashboard"))
    kpi = dict(re.findall(r'data-kpi="(\w+)">(\d+)<', html))
    assert kpi == {"overdue": "2", "missing_notice": "1", "due_soon": "1", "open": "6", "not_sent": "0"}
    assert re.search(r'data-state="registered"><th scope="row">Sag oprettet</th><td class="num">2<', html)
    att = html[html.index('id="opmaerksomhed"') :]
    att = att[: att.index("</section>")]
    assert set(map(int, re.findall(r'data-case="(\d+)"', att))) == {ids["A"], ids["B"], ids["C"]}
    assert "Mangler fristbrev" in att and "Overskredet" in att and "Frist snart" in att
    assert '<svg class="chart"' in html and "2 af 3 afgørelser (67 %)" in html
    assert re.search(r'data-ground="ofl-23"><td>OFL § 23, stk. 1, nr. 1.*?<td class="num">2<', html, re.S)
    assert re.search(r'data-k="upheld"><th scope="row">[^<]+</th><td class="num">1<', html)
    # filter by basis through the form's query string
    html = text_of(client.get("/dashboard?basis=fvl"))
    assert dict(re.findall(r'data-kpi="(\w+)">(\d+)<', html))["open"] == "1"


def test_manager_reassigns_from_the_dashboard(client, db, seeded):
    a = seeded["ids"]["A"]
    login(client, "manager")
    html = text_of(client.get("/dashboard?basis=ofl"))
    assert 'name="next" value="/dashboard?basis=ofl#opmaerksomhed"' in html  # back to the same view
    tok = CSRF_RE.search(html).group(1)
    version = case_view(db, a)["version"]
    r = client.post(
        f"/cases/{a}/actions/assign",
        data={
            "csrf_token": tok,
            "version": str(version),
            "assignee": "cw2",
            "next": "/dashboard?basis=ofl#opmaerksomhed",
        },
    )
    assert r.status_code == 303 and r.headers["Location"] == "/dashboard?basis=ofl#opmaerksomhed"
    assert case_view(db, a)["assignee"] == "cw2"
    html = text_of(client.get("/dashboard"))
    assert "Fordel sag: udført." in html
    # a stale form: the conflict message, no overwrite
    r = client.post(
        f"/cases/{a}/actions/assign",
        data={"csrf_token": tok, "version": str(version), "assignee": "cw", "next": "/dashboard"},
    )
    assert "ændret af en anden" in text_of(client.get(r.headers["Location"]))
    assert case_view(db, a)["assignee"] == "cw2"


def _csv(resp) -> list[dict]:
    body = resp.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:]), delimiter=";"))


def test_csv_export_of_the_case_list(client, db, seeded):
    ids, today = seeded["ids"], seeded["today"]
    login(client, "manager")
    r = client.get("/dashboard/cases.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"] and ".csv" in r.headers["Content-Disposition"]
    rows = _csv(r)
    assert {int(x["Sag"]) for x in rows} == {ids[k] for k in "ABCEFH"}
    a = next(x for x in rows if int(x["Sag"]) == ids["A"])
    assert a["Tilstand"] == "Sag oprettet" and a["Sagsbehandler"] == "Carla Caseworker"
    assert a["Fristens status"] == "Overskredet" and a["Fristtype"] == "Afgørelse (OFL § 36)"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", a["Modtaget"]) and re.fullmatch(
        r"\d\d\.\d\d\.\d{4}", a["Næste frist"]
    )
    assert a["Anmodning"].startswith("'=")  # no spreadsheet formula from requester text
    h = next(x for x in rows if int(x["Sag"]) == ids["H"])
    assert h["Sagsbehandler"] == "Ufordelt" and h["Modtaget"] == today.strftime("%d.%m.%Y")
    assert "Anmoder" not in rows[0]  # no requester names or CPR in the export
    every = _csv(client.get("/dashboard/cases.csv?which=all"))
    assert {int(x["Sag"]) for x in every} == set(ids.values())
    cw2 = _csv(client.get("/dashboard/cases.csv?basis=fvl"))
    assert [int(x["Sag"]) for x in cw2] == [ids["F"]]


def test_dashboard_is_for_managers_and_admins_only(client, db):
    login(client, "cw")
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard/cases.csv").status_code == 403


def test_the_attention_list_sorts_by_deadline_state_and_caseworker(client, db, seeded):
    ids = seeded["ids"]
    login(client, "manager")

    def attention(query: str) -> tuple[list[int], str]:
        html = text_of(client.get(f"/dashboard?{query}"))
        att = html[html.index('id="opmaerksomhed"') :]
        att = att[: att.index("</section>")]
        return [int(x) for x in re.findall(r'data-case="(\d+)"', att)], att

    order, att = attention("sort=assignee&dir=desc")
    assert order[0] == ids["B"]  # Claus before Carla, reversed
    assert re.search(
        r'<th scope="col" aria-sort="descending"><a class="sort" href="/dashboard\?sort=assignee#opmaerksomhed" '
        r'data-sort="assignee">',
        att,
    )
    assert att.count("aria-sort=") == 1
    assert attention("sort=assignee")[0][-1] == ids["B"]
    assert attention("sort=state")[0][0] == ids["C"]  # "Modtaget" comes before "Sag oprettet"
    assert attention("sort=due&dir=desc")[0][0] == ids["C"]  # the latest deadline first
    assert attention("sort=due")[0][-1] == ids["C"]
    # the filters are kept in the sort links; an unknown column keeps the list's own order
    _, att = attention("basis=ofl")
    assert 'href="/dashboard?basis=ofl&sort=due#opmaerksomhed"' in att and "aria-sort" not in att
    assert attention("sort=nonsens")[0] == attention("")[0]
