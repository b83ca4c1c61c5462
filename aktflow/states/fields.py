"""The inputs a trigger takes, one class per kind: each parses, validates and describes itself.

A trigger declares its fields as data (``Field("reply_by", "future_date", "Svarfrist")``); the kind string
names one of the classes in :data:`KINDS`. Everything that reads or shows a field asks the field, never
switches on the kind itself:

- :func:`clean` checks a trigger's ``note`` and ``data`` (the service, before the guards; the JSON API,
  before it calls the service, without the checks that need the case or the database);
- :meth:`Field.json_schema` describes the value (the OpenAPI document, ``aktflow workflow --format json``);
- :attr:`Field.widget` names the form control and :meth:`Field.from_form` turns what a browser sends back
  into the value :meth:`Field.parse` takes (the case page);
- the CLI sends JSON (``aktflow case advance --data``) or builds the same values from its options.

Parsing is strict about JSON types (a document id is an integer, a flag is ``true``/``false``, grounds are a
list of strings); turning form text into those types is :meth:`Field.from_form`'s job. Errors are
:class:`~aktflow.errors.ValidationError` naming the field, with a Danish message for the user.

This module imports nothing of the application: a ``user`` field asks the caller's ``find_user`` (given
in :class:`Context`) whether the username exists.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from ..errors import ValidationError


class TriggerSpec(Protocol):
    """What the fields need of a trigger's spec (``aktflow.states.spec.TriggerSpec``)."""

    @property
    def name(self) -> str: ...

    @property
    def fields(self) -> tuple[Field, ...]: ...


#: The longest free text a field takes unless it says less (``Field.max_len``).
MAX_TEXT = 10_000
#: Dates the engine can count deadlines from: the working-day calendar fails far outside this range.
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
DATE_RANGE_TEXT = f"mellem {MIN_DATE.isoformat()} og {MAX_DATE.isoformat()}"
#: Ids are 32-bit integers in the database.
INT_MAX = 2**31 - 1
#: Text longer than this is asked for in a multi-line box on the case page.
SHORT_TEXT = 300

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DIGITS = re.compile(r"[0-9]{1,10}")


# --- the primitives (also used for the intake fields of a new case) --------------------------------------


def parse_date(value: Any, field_name: str) -> dt.date:
    """An ISO date (``ÅÅÅÅ-MM-DD``; a ``date`` or ``datetime`` is taken as is) within MIN_DATE–MAX_DATE.

    Raises ValidationError(field_name, …) for anything else.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValidationError(field_name, "dato mangler eller er ikke tekst (forventet ÅÅÅÅ-MM-DD)")
    try:
        d = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(field_name, f"ugyldig dato {value[:40]!r} (forventet ÅÅÅÅ-MM-DD)") from None
    if not MIN_DATE <= d <= MAX_DATE:
        raise ValidationError(
            field_name, f"datoen {d.isoformat()} ligger uden for {MIN_DATE.year}–{MAX_DATE.year}"
        )
    return d


def parse_text(value: Any, field_name: str, *, max_len: int = MAX_TEXT) -> str:
    """Text without control characters (tab and newlines allowed), stripped, at most ``max_len`` long.

    Raises ValidationError(field_name, …) for a non-string, a control character or too long a text.
    """
    if not isinstance(value, str):
        raise ValidationError(field_name, "skal være tekst")
    if _CONTROL.search(value):
        raise ValidationError(field_name, "indeholder kontroltegn, som ikke kan gemmes")
    value = value.strip()
    if len(value) > max_len:
        raise ValidationError(field_name, f"højst {max_len} tegn")
    return value


# --- the context of a check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What the checks that depend on the case and the database need.

    ``today``: the date a ``future_date`` may not lie before (the municipality's today).
    ``find_user(username)``: the user with that name or None; the result needs ``username``, ``active``
    and ``role``. ``case_roles``: the roles of users who can hold cases (a ``user`` field names one).
    Without a context (``None``) those checks are skipped, and so is the check for required fields: the
    shape of the input alone is checked (the API does that before it asks the service).
    """

    today: dt.date
    find_user: Callable[[str], Any]
    case_roles: frozenset[str]


# --- the kinds --------------------------------------------------------------------------------------------


class Kind:
    """One kind of field. Stateless: the field (name, label, choices, max_len) is passed in."""

    name: ClassVar[str]
    widget: ClassVar[str] = "input"
    #: Whether the value travels in the trigger's ``data`` (False: a file, given beside it).
    in_data: ClassVar[bool] = True

    def parse(self, f: Field, raw: Any, ctx: Context | None) -> Any:
        """The clean value of ``raw`` (given, not blank); raises ValidationError(f.name, …)."""
        raise NotImplementedError

    def json_schema(self, f: Field) -> dict[str, Any]:
        """The JSON schema of the value in a request (null means "not given")."""
        raise NotImplementedError

    def widget_for(self, f: Field) -> str:
        return self.widget

    def from_form(self, f: Field, form: Any) -> Any:
        """The value a submitted HTML form holds for ``f`` (a werkzeug MultiDict), None if not filled in."""
        value = form.get(f.name, "")
        return value if value.strip() else None

    def from_files(self, f: Field, files: Any) -> tuple[str, bytes] | None:
        """The file a submitted form carries for ``f`` (werkzeug's ``request.files``): ``(filename, bytes)``,
        None if none was chosen. Only a :class:`File` field takes one."""
        return None


class Text(Kind):
    """Free text (§ 22's and the log's notes, titles, names); multi-line when it may be long."""

    name = "text"

    def parse(self, f: Field, raw: Any, ctx: Context | None) -> str:
        return parse_text(raw, f.name, max_len=f.max_len)

    def json_schema(self, f: Field) -> dict[str, Any]:
        return {"type": ["string", "null"], "maxLength": f.max_len}

    def widget_for(self, f: Field) -> str:
        return "textarea" if f.max_len > SHORT_TEXT else "input"


class Date(Kind):
    """A date (ÅÅÅÅ-MM-DD) the calendar can count from; stored as ISO text."""

    name = "date"
    widget = "date"
    description = DATE_RANGE_TEXT

    def parse(self, f: Field, raw: Any, ctx: Context | None) -> str:
        return self.check(f, parse_date(raw, f.name), ctx).isoformat()

    def check(self, f: Field, d: dt.date, ctx: Context | None) -> dt.date:
        return d

    def json_schema(self, f: Field) -> dict[str, Any]:
        return {"type": ["string", "null"], "format": "date", "description": self.description}


class FutureDate(Date):
    """A date today or later (a reply-by date, the expected decision date of a § 36 deadline notice)."""

    name = "future_date"
    widget = "future_date"
    description = f"i dag eller senere; {DATE_RANGE_TEXT}"

    def check(self, f: Field, d: dt.date, ctx: Context | None) -> dt.date:
        if ctx is not None and d < ctx.today:
            raise ValidationError(f.name, f"datoen {d.isoformat()} ligger i fortiden")
        return d


class Int(Kind):
    """A positive 32-bit integer (the base of :class:`Document`)."""

    name = "int"
    widget = "number"

    def parse(self, f: Field, raw: Any, ctx: Context | None) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= INT_MAX:
            raise ValidationError(f.name, f"skal være et heltal 1–{INT_MAX}")
        return raw

    def json_schema(self, f: Field) -> dict[str, Any]:
        return {"type": ["integer", "null"], "minimum": 1, "maximum": INT_MAX}

    def from_form(self, f: Field, form: Any) -> Any:
        value = form.get(f.name, "").strip()
        if not value:
            return None
        return int(value) if _DIGITS.fullmatch(value) else value  # not digits: parse() names the field


class Bool(Kind):
    """Yes or no (e.g. "§ 28/§ 29 extraction done"); a checkbox, which a form leaves out when unticked."""

    name = "bool"
    widget = "checkbox"

    def parse(self, f: Field, raw: Any, ctx: Context | None) -> bool:
        if not isinstance(raw, bool):
            raise ValidationError(f.name, "skal være true eller false")
        return raw

    def json_schema(self, f: Field) -> dict[str, Any]:
        return {"type": ["boolean", "null"]}

    def from_form(self, f: Field, form: Any) -> bool:
        return form.get(f.name) == "on"


class Choice(Kind):
    """One of the field's ``choices`` (codes; their Danish labels are the UI's)."""

    name = "choice"
    widget = "select"

    def parse(self, f: Field, raw: Any, ctx: Context | None) -> str:
        if not isinstance(raw, str) or raw not in f.choices:
            raise ValidationError(f.name, f"skal være en af: {', '.join(f.choices)}")
        return raw

    def json_schema(self, f: Field) -> dict[str, Any]:
        return {"enum": [*f.choices, None]}


class Document(Int):
    """A document of the case, by its id; a select of the case's documents on the form (the service's
    guard ``document_on_case`` checks that it is on the case)."""

    name = "document"
    widget = "document"


class Documents(Kind):
    """Documents of the case, by their ids (a hearing's documents); a multi-select of the case's documents
    on the form (a guard, e.g. ``documents_on_case``, checks that they are on the case)."""

    name = "documents"
    widget = "documents"

    def parse(self, f: Field, raw: Any, ctx: Context | None) -> list[int]:
        if not isinstance(raw, list) or not all(
            isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= INT_MAX for x in raw
        ):
            raise ValidationError(f.name, f"skal være en liste af dokument-id'er (heltal 1–{INT_MAX})")
        return list(dict.fromkeys(raw))

    def json_schema(self, f: Field) -> dict[str, Any]:
        return {"type": ["array", "null"], "items": {"type": "integer", "minimum": 1, "maximum": INT_MAX}}

    def from_form(self, f: Field, form: Any) -> Any:
        values = [x.strip() for x in form.getlist(f.name) if x.strip()]
        if not all(_DIGITS.fullmatch(x) for x in values):
            return values  # not digits: parse() names the field
        return [int(x) for x in values]


class List(Kind):
    """A list of short texts (the base of :class:`Grounds`)."""

    name = "list"

    def parse(self, f: Field, raw: Any, ctx: Context | None) -> list[str]:
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise ValidationError(f.name, "skal være en liste af tekster")
        return [parse_text(x, f.name, max_len=SHORT_TEXT) for x in raw]

    def json_schema(self, f: Field) -> dict[str, Any]:
        return {"type": ["array", "null"], "items": {"type": "string", "maxLength": SHORT_TEXT}}

    def from_form(self, f: Field, form: Any) -> list[str]:
        return [x for x in form.getlist(f.name) if x.strip()]


class Grounds(List):
    """The grounds for withholding or redacting a document (codes of the catalogue, OFL §§ 19–35); a
    multi-select of the grounds for the case's legal basis on the form."""

    name = "grounds"
    widget = "grounds"


class User(Kind):
    """The username of an active user who can hold cases (the assignee)."""

    name = "user"
    widget = "user"

    def parse(self, f: Field, raw: Any, ctx: Context | None) -> str:
        if not isinstance(raw, str):
            raise ValidationError(f.name, "skal være et brugernavn")
        if ctx is None:
            return raw
        user = ctx.find_user(raw)
        if user is None or not user.active:
            raise ValidationError(f.name, f"ukendt eller inaktiv bruger {raw!r}")
        if user.role not in ctx.case_roles:
            raise ValidationError(f.name, f"brugeren {raw!r} kan ikke have sager (rolle {user.role})")
        return user.username

    def json_schema(self, f: Field) -> dict[str, Any]:
        return {"type": ["string", "null"], "description": "brugernavn på en aktiv sagsbehandler"}


class File(Kind):
    """A file given with the trigger (``add_document``'s document). It is not a value of ``data``: a form
    uploads it (``<input type=file>``, the accepted types and the size limit shown beside it), the CLI reads
    it from ``--file``, and fire() takes it as its ``attachment`` and hands it, through the fire context, to
    the document pipeline, which checks its type and size and reads it. fire() refuses a file for a trigger
    that declares no file field, and a missing file for a required one.
    """

    name = "file"
    widget = "file"
    in_data = False

    def parse(self, f: Field, raw: Any, ctx: Context | None) -> Any:
        """``raw`` itself if it is a file: a non-empty ``filename`` (text) and ``content`` (bytes)."""
        filename, content = getattr(raw, "filename", None), getattr(raw, "content", None)
        if (
            not isinstance(filename, str)
            or not filename.strip()
            or not isinstance(content, bytes | bytearray)
        ):
            raise ValidationError(f.name, "skal være en fil med navn og indhold")
        return raw

    def json_schema(self, f: Field) -> dict[str, Any]:
        return {
            "type": ["string", "null"],
            "contentMediaType": "application/octet-stream",
            "description": "en fil; sendes som fil (formularens upload, kommandolinjens --file), ikke i data",
        }

    def from_form(self, f: Field, form: Any) -> Any:
        return None  # a file is never a form value: see from_files

    def from_files(self, f: Field, files: Any) -> tuple[str, bytes] | None:
        upload = files.get(f.name)
        if upload is None or not upload.filename:
            return None
        return upload.filename, upload.read()


#: The value of a :class:`Fingerprint` field that sends a letter without a confirmed preview (a script's
#: explicit choice; the event records it).
UNSEEN = "unseen"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class Fingerprint(Kind):
    """The letter as the caseworker saw it before sending: the fingerprint the preview showed (the SHA-256
    of the rendered .docx, 64 hex digits), or :data:`UNSEEN` to send without a confirmed preview. The
    letter made at sending is compared with it (``aktflow.case_letters``); the form fills it in from the
    preview page (widget ``letter``)."""

    name = "fingerprint"
    widget = "letter"

    def parse(self, f: Field, raw: Any, ctx: Context | None) -> str:
        value = raw.strip().lower() if isinstance(raw, str) else None
        if value is None or not (value == UNSEEN or _SHA256.fullmatch(value)):
            raise ValidationError(
                f.name,
                "skal være brevets fingeraftryk fra forhåndsvisningen (64 hextegn) "
                f"eller '{UNSEEN}' for at sende uden at have set brevet",
            )
        return value

    def json_schema(self, f: Field) -> dict[str, Any]:
        return {
            "type": ["string", "null"],
            "pattern": f"^([0-9a-fA-F]{{64}}|{UNSEEN})$",
            "description": "brevets SHA-256 fra forhåndsvisningen, eller 'unseen' for at sende uden",
        }


#: Every kind by the name a declaration uses (``Field("x", "date", …)``).
KINDS: Mapping[str, Kind] = {
    k.name: k
    for k in (
        Text(),
        Date(),
        FutureDate(),
        Document(),
        Documents(),
        Int(),
        Bool(),
        Choice(),
        Grounds(),
        User(),
        File(),
        Fingerprint(),
    )
}


# --- the field ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """An input a trigger takes: ``note`` or a key of ``data``. ``kind`` names one of :data:`KINDS`.

    Raises ValueError at definition time for an unknown kind, a ``choice`` without choices, or choices on
    a field of another kind.
    """

    name: str
    # text | date | future_date | document(s) | int | bool | choice | grounds | user | file | fingerprint
    kind: str
    label: str  # Danish, for forms
    required: bool = True
    choices: tuple[str, ...] = ()
    max_len: int = MAX_TEXT  # for text

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name!r}: unknown kind {self.kind!r} (known: {', '.join(KINDS)})")
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"field {self.name!r}: choices belong to, and only to, a 'choice' field")

    @property
    def type(self) -> Kind:
        """The kind's class instance."""
        return KINDS[self.kind]

    @property
    def widget(self) -> str:
        """The form control: input | textarea | date | future_date | number | document | checkbox | select |
        grounds | user | file | letter (rendered by the ``field`` macro of web/templates/_macros.html)."""
        return self.type.widget_for(self)

    @property
    def in_data(self) -> bool:
        """Whether the value travels in the trigger's ``data`` (not the note, not a file)."""
        return self.name != "note" and self.type.in_data

    def parse(self, raw: Any, ctx: Context | None = None) -> Any:
        """The clean value of ``raw`` (given, not blank); raises ValidationError(self.name, …)."""
        return self.type.parse(self, raw, ctx)

    def json_schema(self) -> dict[str, Any]:
        """The JSON schema of the value in a request, titled with the Danish label."""
        return {**self.type.json_schema(self), "title": self.label}

    def from_form(self, form: Any) -> Any:
        """The value a submitted form holds for this field (None: not filled in)."""
        return self.type.from_form(self, form)

    def from_files(self, files: Any) -> tuple[str, bytes] | None:
        """The file a submitted form uploads for this field, ``(filename, bytes)``; None: none (or not a file field)."""
        return self.type.from_files(self, files)

    def describe(self) -> dict[str, Any]:
        """The field as ``aktflow workflow --format json`` shows it."""
        return {
            "name": self.name,
            "kind": self.kind,
            "label": self.label,
            "required": self.required,
            "widget": self.widget,
            "schema": self.json_schema(),
        }


def field_of(spec: TriggerSpec, name: str) -> Field:
    """The field ``name`` of a trigger; KeyError if it has none."""
    for f in spec.fields:
        if f.name == name:
            return f
    raise KeyError(f"{spec.name!r} has no field {name!r}")


def check_file(spec: TriggerSpec, attachment: Any) -> None:
    """Whether ``attachment`` (a file given beside ``data``, or None) fits the trigger's file fields.

    Raises ValidationError("file", …) for a file given to a trigger that declares no ``file`` field, and
    ValidationError(<field>, …) for a required file left out or something that is not a file.
    """
    files = [f for f in spec.fields if f.kind == "file"]
    if attachment is None:
        for f in files:
            if f.required:
                raise ValidationError(f.name, f"skal udfyldes ({f.label})")
        return
    if not files:
        raise ValidationError("file", f"'{spec.name}' tager ingen fil")
    files[0].parse(attachment)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def clean(spec: TriggerSpec, note: Any, data: Any, ctx: Context | None = None) -> tuple[str | None, dict]:
    """``(note, data)`` of a trigger checked against its fields: ``(clean note or None, clean data)``.

    ``data`` is a dict (or None) holding only the trigger's fields; the note may also come among them
    (``data["note"]``) when the trigger declares a ``note`` field. A field that is absent or blank is left
    out; a required one is refused (only with a context, see :class:`Context`). Raises ValidationError
    naming the first bad field ("data" when ``data`` is not an object).
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError("data", "skal være et JSON-objekt")
    fields = {f.name: f for f in spec.fields if f.type.in_data}
    unknown = sorted(k for k in data if k not in fields)
    if unknown:
        if any(f.name == unknown[0] and not f.type.in_data for f in spec.fields):
            raise ValidationError(unknown[0], "en fil sendes som fil, ikke som feltværdi i data")
        allowed = ", ".join(n for n in fields if n != "note") or "ingen"
        raise ValidationError(
            unknown[0], f"'{spec.name}' tager ikke feltet {unknown[0]!r} (tilladt: {allowed})"
        )
    if note is None and "note" in fields:
        note = data.get("note")  # the API and forms may send the note among the fields
    if note is not None:
        note = (
            parse_text(note, "note", max_len=fields["note"].max_len if "note" in fields else MAX_TEXT) or None
        )
    out: dict[str, Any] = {}
    for f in fields.values():
        raw = note if f.name == "note" else data.get(f.name)
        if _blank(raw):
            if f.required and ctx is not None:
                raise ValidationError(f.name, f"skal udfyldes ({f.label})")
            continue
        if f.name != "note":
            out[f.name] = f.parse(raw, ctx)
    return note, out


__all__ = [
    "DATE_RANGE_TEXT",
    "INT_MAX",
    "KINDS",
    "MAX_DATE",
    "MAX_TEXT",
    "MIN_DATE",
    "UNSEEN",
    "Context",
    "Field",
    "Kind",
    "check_file",
    "clean",
    "field_of",
    "parse_date",
    "parse_text",
]
