"""Field kinds (aktflow/states/fields.py): each parses good input, refuses bad input naming the field, and
describes itself; and for every trigger the API's schema, the case page's form and the service agree."""

from __future__ import annotations

import datetime as dt
import io
import json
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import FileStorage, MultiDict

from aktflow import clock, grounds, states
from aktflow.documents import TYPES
from aktflow.errors import ValidationError
from aktflow.states import fields
from aktflow.states.fields import INT_MAX, KINDS, Context, Field, check_file, clean, field_of
from web.filters import parse_form_date

TODAY = dt.date(2026, 6, 15)
USERS = {
    "cw": SimpleNamespace(username="cw", active=True, role="caseworker"),
    "gone": SimpleNamespace(username="gone", active=False, role="caseworker"),
    "jura": SimpleNamespace(username="jura", active=True, role="legal"),
}


def ctx(today: dt.date = TODAY) -> Context:
    return Context(today=today, find_user=USERS.get, case_roles=frozenset({"caseworker", "manager", "admin"}))


def conforms(value, schema: dict) -> bool:
    """Whether ``value`` satisfies the (small) JSON schema vocabulary the fields use."""
    if "enum" in schema:
        return value in schema["enum"]
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    json_type = {
        type(None): "null",
        bool: "boolean",
        int: "integer",
        str: "string",
        list: "array",
    }.get(type(value))
    if json_type not in types:
        return False
    if isinstance(value, str):
        if len(value) > schema.get("maxLength", len(value)):
            return False
        if schema.get("format") == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return False
    if json_type == "integer" and not schema.get("minimum", value) <= value <= schema.get("maximum", value):
        return False
    if isinstance(value, list):
        return all(conforms(x, schema["items"]) for x in value)
    return True


# --- every kind: good input, bad input, description ------------------------------------------------------------

# kind -> (field, [(raw, clean value)], [bad raw values])
_FILE = SimpleNamespace(filename="notat.txt", content=b"Notat om byggesagen")
_EMPTY_FILE = SimpleNamespace(filename="tom.txt", content=b"")
CASES = {
    "text": (
        Field("title", "text", "Titel", max_len=10),
        [("Notat", "Notat"), ("  Notat \n", "Notat"), ("æøå\tok", "æøå\tok")],
        [5, ["Notat"], {"a": 1}, "x" * 11, "a\x00b", "a\x07b", True],
    ),
    "date": (
        Field("date", "date", "Dato"),
        [("2026-01-05", "2026-01-05"), (" 1900-01-01 ", "1900-01-01"), (dt.date(2199, 12, 31), "2199-12-31")],
        [
            "i går",
            "05-01-2026",
            "2026-02-30",
            "1899-12-31",
            "2200-01-01",
            "9999-12-31",
            20260105,
            ["2026-01-05"],
        ],
    ),
    "future_date": (
        Field("reply_by", "future_date", "Svarfrist"),
        [(TODAY.isoformat(), TODAY.isoformat()), ("2026-12-01", "2026-12-01")],
        [(TODAY - dt.timedelta(days=1)).isoformat(), "2200-01-01", "snart", 3],
    ),
    "document": (
        Field("document_id", "document", "Dokument"),
        [(1, 1), (INT_MAX, INT_MAX), (42, 42)],
        [0, -3, INT_MAX + 1, "1", "abc", True, 2.5],
    ),
    "int": (
        Field("hours", "int", "Anslået tidsforbrug (timer)", required=False),
        [(1, 1), (40, 40), (INT_MAX, INT_MAX)],
        [0, -3, INT_MAX + 1, "40", True, 2.5],
    ),
    "bool": (
        Field("extracted", "bool", "Ekstrahering", required=False),
        [(True, True), (False, False)],
        ["ja", "true", "on", 1, 0, ["x"]],
    ),
    "choice": (
        Field("outcome", "choice", "Vurdering", choices=("grant", "partial", "refuse")),
        [("grant", "grant"), ("refuse", "refuse")],
        ["maybe", "Grant", 1, ["grant"], True],
    ),
    "grounds": (
        Field("grounds", "grounds", "Undtagelsesgrunde", required=False),
        [(["ofl-23"], ["ofl-23"]), ([" ofl-30-1 ", "ofl-35"], ["ofl-30-1", "ofl-35"]), ([], [])],
        ["ofl-23", "ofl-23, ofl-30-1", [1], ["ofl-23", None], ["a\x00"], {"a": "b"}, True],
    ),
    "documents": (
        Field("document_ids", "documents", "Dokumenter", required=False),
        [([3, 4], [3, 4]), ([4, 4], [4]), ([], [])],
        [3, "3", ["3"], [0], [True], [INT_MAX + 1], {"a": 1}],
    ),
    "user": (
        Field("assignee", "user", "Sagsbehandler"),
        [("cw", "cw")],
        ["nobody", "gone", "jura", 7, ["cw"], {"u": 1}],
    ),
    "file": (
        Field("file", "file", "Fil", required=False),
        [(_FILE, _FILE), (_EMPTY_FILE, _EMPTY_FILE)],
        [
            "notat.txt",
            b"indhold",
            SimpleNamespace(filename="", content=b"x"),
            SimpleNamespace(filename="a.txt"),
        ],
    ),
    "fingerprint": (
        Field("letter_sha256", "fingerprint", "Brevet, som det er set", required=False),
        [("ab" * 32, "ab" * 32), (" " + "AB" * 32 + " ", "ab" * 32), ("unseen", "unseen")],
        ["ab" * 31, "g" * 64, "ja", "", 64, ["ab" * 32], True],
    ),
}


def test_every_kind_the_definition_uses_is_tested_and_known():
    used = {f.kind for t in states.TRIGGERS.values() for f in t.fields}
    assert used <= set(KINDS)
    assert set(CASES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_kind_parses_good_input(kind):
    f, good, _ = CASES[kind]
    for raw, value in good:
        assert f.parse(raw, ctx()) == value, raw
        if f.in_data:  # a file is uploaded beside the data, never a JSON value
            assert conforms(value, f.json_schema()), (raw, value)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_kind_refuses_bad_input_naming_the_field(kind):
    f, _, bad = CASES[kind]
    for raw in bad:
        with pytest.raises(ValidationError) as e:
            f.parse(raw, ctx())
        assert e.value.field == f.name, raw
        assert e.value.message.startswith(f"{f.name}: "), raw


@pytest.mark.parametrize("kind", sorted(CASES))
def test_kind_describes_itself(kind):
    f, good, _ = CASES[kind]
    schema = f.json_schema()
    assert schema["title"] == f.label
    assert conforms(None, schema)  # null: not given
    json.dumps(schema)  # plain JSON
    assert f.widget in {
        "input",
        "textarea",
        "date",
        "future_date",
        "number",
        "document",
        "documents",
        "checkbox",
        "select",
        "grounds",
        "user",
        "file",
        "letter",
    }
    described = f.describe()
    assert described == {
        "name": f.name,
        "kind": kind,
        "label": f.label,
        "required": f.required,
        "widget": f.widget,
        "schema": schema,
    }


def test_schema_refuses_what_the_kind_refuses_by_type():
    """A JSON value of the wrong type is refused by both the schema and the parser."""
    for f, _, bad in CASES.values():
        for raw in bad:
            if isinstance(raw, dt.date) or f.kind == "user":
                continue  # a user's existence is not in the schema
            if not conforms(raw, f.json_schema()):
                with pytest.raises(ValidationError):
                    f.parse(raw, ctx())


def test_widgets_follow_the_field():
    assert Field("note", "text", "Bemærkning").widget == "textarea"
    assert Field("authority", "text", "Rette myndighed", max_len=300).widget == "input"
    assert Field("document_id", "document", "Dokument").widget == "document"
    assert Field("grounds", "grounds", "Grunde").widget == "grounds"
    with pytest.raises(ValueError, match="unknown kind"):
        Field("document_id", "integer", "Dokument")  # the kind says what a field is, not its name
    assert Field("hours", "int", "Timer").widget == "number"
    assert Field("expected", "future_date", "Forventet").widget == "future_date"


def test_future_date_in_the_past_is_refused_only_against_today():
    f = Field("reply_by", "future_date", "Svarfrist")
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError, match="ligger i fortiden") as e:
        f.parse(yesterday, ctx())
    assert e.value.field == "reply_by"
    assert f.parse(yesterday, None) == yesterday  # the shape alone (the API, before it reads the case)
    assert f.parse(yesterday, ctx(TODAY - dt.timedelta(days=2))) == yesterday


def test_user_messages_say_why():
    f = Field("assignee", "user", "Sagsbehandler")
    with pytest.raises(ValidationError, match="ukendt eller inaktiv bruger 'gone'"):
        f.parse("gone", ctx())
    with pytest.raises(ValidationError, match=r"kan ikke have sager \(rolle legal\)"):
        f.parse("jura", ctx())
    assert f.parse("nobody", None) == "nobody"  # without a context only the type is checked


def test_a_field_of_unknown_kind_or_stray_choices_is_refused_at_definition():
    with pytest.raises(ValueError, match="unknown kind 'datetime'"):
        Field("x", "datetime", "X")
    with pytest.raises(ValueError, match="choices"):
        Field("x", "choice", "X")
    with pytest.raises(ValueError, match="choices"):
        Field("x", "text", "X", choices=("a",))


# --- clean(): a trigger's note and data --------------------------------------------------------------------------


def test_clean_checks_a_triggers_fields():
    spec = states.TRIGGERS["request_hearing"]
    note, data = clean(spec, None, {"party": " Naboen ", "reply_by": "2026-07-01", "question": ""}, ctx())
    assert (note, data) == (None, {"party": "Naboen", "reply_by": "2026-07-01"})  # blank: left out
    with pytest.raises(ValidationError, match=r"skal udfyldes \(Svarfrist\)") as e:
        clean(spec, None, {"party": "Naboen"}, ctx())
    assert e.value.field == "reply_by"
    with pytest.raises(ValidationError, match="tager ikke feltet 'nope'") as e:
        clean(spec, None, {"party": "Naboen", "nope": 1}, ctx())
    assert e.value.field == "nope"
    for data in ([], "x", 3):
        with pytest.raises(ValidationError) as e:
            clean(spec, None, data, ctx())
        assert e.value.field == "data"


def test_clean_without_context_checks_the_shape_only():
    spec = states.TRIGGERS["request_hearing"]
    assert clean(spec, None, {}, None) == (None, {})  # required fields are the service's check
    with pytest.raises(ValidationError) as e:
        clean(spec, None, {"reply_by": "2200-01-01"}, None)
    assert e.value.field == "reply_by"


def test_clean_takes_the_note_beside_or_among_the_data():
    spec = states.TRIGGERS["return_to_screening"]  # its note is required
    assert clean(spec, " Mangler § 30 ", {}, ctx()) == ("Mangler § 30", {})
    assert clean(spec, None, {"note": "Mangler § 30"}, ctx()) == ("Mangler § 30", {})
    with pytest.raises(ValidationError) as e:
        clean(spec, None, {}, ctx())
    assert e.value.field == "note"
    with pytest.raises(ValidationError) as e:
        clean(spec, 5, {}, ctx())
    assert e.value.field == "note"
    # A trigger without a note field still takes a note for the log, but not among its data.
    assert clean(states.TRIGGERS["register"], "Modtaget pr. brev", None, ctx()) == ("Modtaget pr. brev", {})
    with pytest.raises(ValidationError):
        clean(states.TRIGGERS["register"], None, {"note": "x"}, ctx())


def test_from_form_reads_what_a_browser_sends():
    form = MultiDict(
        [
            ("extracted", "on"),
            ("grounds", "ofl-23"),
            ("grounds", " "),
            ("grounds", "ofl-35"),
            ("document_id", "12"),
        ]
    )
    spec = states.TRIGGERS["assess_document"]
    assert field_of(spec, "extracted").from_form(form) is True
    assert field_of(spec, "extracted").from_form(MultiDict()) is False  # an unticked box is not sent
    assert field_of(spec, "grounds").from_form(form) == ["ofl-23", "ofl-35"]
    assert field_of(spec, "document_id").from_form(form) == 12
    assert field_of(spec, "document_id").from_form(MultiDict({"document_id": " "})) is None
    junk = field_of(spec, "document_id").from_form(MultiDict({"document_id": "12abc"}))
    with pytest.raises(ValidationError) as e:
        field_of(spec, "document_id").parse(junk)
    assert e.value.field == "document_id"
    assert field_of(spec, "outcome").from_form(MultiDict({"outcome": ""})) is None
    with pytest.raises(KeyError):
        field_of(spec, "nope")


# --- the API, the form and the service agree, for every trigger -------------------------------------------------


class _Controls(HTMLParser):
    """The form controls in a piece of HTML: (tag, attrs, [option values])."""

    def __init__(self):
        super().__init__()
        self.controls: list[tuple[str, dict, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "select", "textarea"):
            self.controls.append((tag, a, []))
        elif tag == "option":
            self.controls[-1][2].append(a["value"])


def _form_value(tag: str, attrs: dict, options: list[str]):
    """What a person filling in the control sends (the first choice of a select)."""
    if tag == "select":
        return options[:1] if "multiple" in attrs else options[0]
    kind = attrs.get("type", "text")
    return {
        "checkbox": "on",
        "date": attrs.get("min") or "2026-01-05",
        "number": "3",
        # A letter's fingerprint: a hidden field the preview page fills in with the letter's SHA-256.
        "hidden": attrs.get("value") or "0" * 64,
    }.get(kind, "Et eksempel")


@pytest.fixture
def app(sqlite_db):
    from web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": sqlite_db.url})
    yield app
    app.extensions["aktflow_db"].dispose()


TEMPLATE = """{% from "_macros.html" import field with context %}
{{ field(tname, f, "fid", assignees=assignees, documents=documents, grounds=grounds) }}"""


def test_api_schema_form_and_service_agree_for_every_trigger(app):
    from flask import render_template_string

    api = app.test_client().get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    workflow = {t["name"]: t for t in states.as_json()["triggers"]}
    assignees = [SimpleNamespace(username="cw", name="Carla Caseworker", role="caseworker")]
    documents = [SimpleNamespace(id=7, no=1, title="Notat")]
    today = clock.today()
    checked = set()
    for name, spec in states.TRIGGERS.items():
        assert [f["schema"] for f in workflow[name]["fields"]] == [f.json_schema() for f in spec.fields], name
        if spec.system:
            assert f"Event_{name}" not in api
            continue
        body = api[f"Event_{name}"]
        data_schema = body["properties"]["data"]["properties"]
        form, files = MultiDict(), MultiDict()
        for f in spec.fields:
            # The API describes each field exactly as the field does.
            if f.name == "note":
                assert body["properties"]["note"] == f.json_schema(), name
            elif not f.in_data:
                assert f.name not in data_schema, (name, f.name)  # a file is uploaded, not sent in data
            else:
                assert data_schema[f.name] == f.json_schema(), (name, f.name)
                assert (f.name in body["properties"]["data"].get("required", [])) == f.required, (
                    name,
                    f.name,
                )
            # The form shows one control for the field, named after it, required as the field is.
            with app.test_request_context():
                html = render_template_string(
                    TEMPLATE,
                    tname=name,
                    f=f,
                    assignees=assignees,
                    documents=documents,
                    grounds=grounds.all_grounds(),
                )
            parser = _Controls()
            parser.feed(html)
            assert len(parser.controls) == 1, (name, f.name, html)
            tag, attrs, options = parser.controls[0]
            assert attrs["name"] == f.name, (name, f.name)
            if attrs.get("type") != "checkbox":
                assert ("required" in attrs) == f.required, (name, f.name)
            if f.kind == "choice":
                assert options == list(f.choices), (name, f.name)
            if attrs.get("type") == "file":
                # The file control accepts the document types and shows the size limit.
                assert attrs["accept"].split(",") == list(TYPES), (name, f.name)
                assert attrs["data-max-bytes"] == str(app.config["MAX_CONTENT_LENGTH"]), (name, f.name)
                assert "højst 25 MB" in html, html
                files.add(f.name, FileStorage(io.BytesIO(b"Notat"), filename="notat.txt"))
            else:
                value = _form_value(tag, attrs, options)
                if "data-date" in attrs:
                    # A date typed the Danish way, read as the case page reads it (web.filters.parse_form_date).
                    typed = parse_form_date(f"{today + dt.timedelta(days=7):%d.%m.%Y}")
                    assert typed is not None
                    value = typed.isoformat()
                for v in value if isinstance(value, list) else [value]:
                    form.add(f.name, v)
            checked.add(f.kind)
        # What the form sends, read as the case page reads it, is what the service takes and the schema allows.
        data = {f.name: v for f in spec.fields if f.in_data and (v := f.from_form(form)) is not None}
        note, clean_data = clean(spec, form.get("note"), data, ctx(today))
        for key, value in clean_data.items():
            assert conforms(value, data_schema[key]), (name, key, value)
        assert set(clean_data) == {f.name for f in spec.fields if f.in_data}, name
        uploads = [u for f in spec.fields if (u := f.from_files(files)) is not None]
        assert uploads == ([("notat.txt", b"Notat")] if any(f.kind == "file" for f in spec.fields) else []), (
            name
        )
        check_file(spec, SimpleNamespace(filename="notat.txt", content=b"Notat") if uploads else None)
        if any(f.name == "note" for f in spec.fields):
            assert note == "Et eksempel"
    assert checked == set(KINDS)


def test_the_cli_describes_fields_as_the_api_does(runner, sqlite_db):
    from aktflow.cli import cli

    r = runner.invoke(cli, ["workflow", "--format", "json"])
    assert r.exit_code == 0, r.output
    for t in json.loads(r.stdout)["triggers"]:
        spec = states.TRIGGERS[t["name"]]
        assert t["fields"] == [f.describe() for f in spec.fields]
    r = runner.invoke(cli, ["case", "assess", "1", "1", "--outcome", "maybe", "--as", "cw"])
    assert r.exit_code == 2 and all(
        c in r.output for c in field_of(states.TRIGGERS["assess_document"], "outcome").choices
    )


def test_service_reexports_stay_the_fields_own():
    from aktflow import service

    assert service.parse_date is fields.parse_date
    assert service._text is fields.parse_text
