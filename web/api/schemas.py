"""The API's request and response shapes as pydantic models; the OpenAPI document is generated from them.

Requests: :class:`IntakeRequest` (``POST /requests``, the options of ``aktflow case new``) and
:class:`EventRequest` (``POST /cases/<id>/events/<trigger>``: ``note`` and ``data``). The models check the
*shape* (JSON types, lengths, unknown keys); the meaning (a known legal basis, a valid CPR number, an
active assignee, a date not in the future) is the service's, which answers with the same 400. The fields
of a trigger's ``data`` are the workflow's own (:mod:`aktflow.states.fields`): they check themselves and
describe themselves (:meth:`~aktflow.states.fields.Field.json_schema`), so they are not repeated here.

Responses: :class:`Case` (what ``aktflow case show --json`` gives, :func:`aktflow.service.case_view`) with
its nested deadlines, documents, hearings, letters, archive state, notices and events; :class:`CaseSummary`
(one row of ``GET /cases``, :func:`aktflow.queries.cases.case_list`); :class:`Error`. Response models
forbid unknown keys, so their schemas say ``additionalProperties: false`` and the drift test in
tests/api/test_openapi.py fails when a view gains a key the model does not name.

Model docstrings and field descriptions are Danish: they are the API's documentation for its users.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from aktflow import states
from aktflow.errors import ValidationError
from aktflow.models import Case as CaseRow
from aktflow.models import User as UserRow
from aktflow.states import fields
from aktflow.states.fields import DATE_RANGE_TEXT, MAX_TEXT
from aktflow.vocabulary import BASES, CASE_OUTCOMES, DOCUMENT_OUTCOMES, EMNE_RE, RULES, STATUSES

from . import case_access as _access
from . import redaction_schemas as _redactions


def api_triggers() -> list[str]:
    """The triggers the API offers: every trigger of the workflow except aktflow's own system actions."""
    return [name for name, t in states.TRIGGERS.items() if not t.system]


StateName = Literal[tuple(states.STATES)]  # type: ignore[valid-type]
TriggerName = Literal[tuple(api_triggers())]  # type: ignore[valid-type]
Basis = Literal[BASES]  # type: ignore[valid-type]


def _col_len(table: Any, column: str) -> int:
    return table.__table__.c[column].type.length


# --- requests -------------------------------------------------------------------------------------------------


def _calendar_date(value: str) -> str:
    """A date the calendar can count from (the rest of ``received`` is the service's to check)."""
    try:
        fields.parse_date(value, "received")
    except ValidationError as e:
        raise PydanticCustomError("aktflow", "{detail}", {"detail": e.detail}) from None
    return value


class IntakeRequest(BaseModel):
    """En ny anmodning om aktindsigt (felterne er `aktflow case new`'s options)."""

    model_config = ConfigDict(strict=True, extra="forbid", title="IntakeRequest")

    requester: str | None = Field(
        None,
        max_length=_col_len(CaseRow, "requester_name"),
        description="Anmoderens navn (kan udelades efter offentlighedsloven og miljøoplysningsloven, når "
        "email, cpr eller cvr giver en måde at svare på; kræves for fvl og gdpr)",
    )
    email: str | None = Field(
        None,
        max_length=_col_len(CaseRow, "requester_email"),
        description="Anmoderens e-mailadresse",
        json_schema_extra={"format": "email"},
    )
    received: Annotated[str, AfterValidator(_calendar_date)] = Field(
        max_length=10,
        description=f"Modtaget (ÅÅÅÅ-MM-DD; ikke i fremtiden; {DATE_RANGE_TEXT})",
        json_schema_extra={"format": "date"},
    )
    basis: str = Field(max_length=10, description="Retsgrundlag", json_schema_extra={"enum": list(BASES)})
    subject: str = Field(max_length=MAX_TEXT, description="Hvad der søges aktindsigt i")
    emne: str = Field(
        max_length=8,
        description="KLE-emne for den sag, der søges om (NN.NN.NN)",
        json_schema_extra={"pattern": EMNE_RE.pattern},
    )
    cpr: str | None = Field(
        None,
        max_length=20,
        description="Anmoderens CPR-nummer (10 cifre; kun i body, vises aldrig igen)",
        json_schema_extra={"pattern": r"^\d{6}[- ]?\d{4}$", "writeOnly": True},
    )
    cvr: str | None = Field(
        None,
        max_length=20,
        description="Anmoderens CVR-nummer (8 cifre)",
        json_schema_extra={"pattern": r"^\d{8}$"},
    )
    address: list[str] | None = Field(
        None,
        max_length=5,
        description="Anmoderens postadresse til breve med post: linjerne under navnet (gade og nr., postnr. "
        "og by), højst 5 linjer à 60 tegn",
    )
    channel: str | None = Field(
        None,
        max_length=_col_len(CaseRow, "channel"),
        description="Kanal: e-mail, brev, telefon, selvbetjening …",
    )
    assign: str | None = Field(
        None,
        max_length=_col_len(UserRow, "username"),
        description="Brugernavn på den sagsbehandler, sagen fordeles til",
    )


class EventRequest(BaseModel):
    """En handling på sagen: `note` til hændelsesloggen og handlingens felter i `data`.

    Felterne i `data` afhænger af handlingen: se skemaet Event_<handling>.
    """

    model_config = ConfigDict(extra="forbid", title="EventRequest")

    # Checked by the trigger's own fields (aktflow.states.fields.clean), which name the bad field.
    note: Any = None
    data: Any = None


# --- responses ------------------------------------------------------------------------------------------------


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Deadline(_Response):
    """En løbende frist: reglen, fra og til, status ved læsningen og forklaringen."""

    rule: Literal[RULES]  # type: ignore[valid-type]
    start: dt.date
    due: dt.date
    status: Literal[STATUSES] = Field(description="Beregnet ved hver læsning")  # type: ignore[valid-type]
    done_on: dt.date | None
    explanation: str
    calendar_version: str
    closure_warning: str | None = Field(
        None,
        description="Advarsel, når en lovbestemt frist falder på en af kommunens lukkedage (den flyttes ikke)",
    )


class Document(_Response):
    """Et dokument på sagen med sin vurdering (outcome er null, indtil det er vurderet)."""

    id: int
    no: int = Field(description="Dokumentets nummer på sagens dokumentliste (1, 2, …)")
    title: str
    date: dt.date | None
    sender: str | None
    recipient: str | None
    archive_doc_id: str | None
    filename: str | None
    sha256: str | None
    screening: Literal["pending", "screened", "unread", "refused"] = Field(
        description="Hvor langt gennemgangen af filen er: pending (under gennemgang), screened (læst og "
        "screenet), unread (dele kunne ikke læses: skal læses manuelt), refused (afvist: skal læses manuelt)"
    )
    screening_label: str
    screening_error: str | None = Field(description="Hvorfor filen blev afvist (fx en grænse)")
    parent_id: int | None = Field(description="Den e-mail eller PDF, et vedhæftet dokument kom fra")
    outcome: Literal[DOCUMENT_OUTCOMES] | None  # type: ignore[valid-type]
    grounds: list[str]
    extracted: bool
    extraction_note: str | None = Field(
        description="Hvad der er ekstraheret (OFL §§ 28-29); trykkes i afgørelsen"
    )
    meroffentlighed_note: str | None = Field(
        description="Meroffentlighed (OFL § 14) overvejet: hvorfor der ikke gives mere; trykkes i afgørelsen"
    )
    reason: str | None = Field(description="Begrundelsen til anmoderen; trykkes i afgørelsen")
    internal_note: str | None = Field(description="Intern note; kommer aldrig i et brev")
    weighing_note: str | None = Field(
        description="Hovedhensyn i afvejningen (OFL §§ 30, 33, 35; MOL § 2: offentlighedens interesse); "
        "trykkes i afgørelsen"
    )
    released_title: str | None = Field(
        description="Titlen i aktlisten, som sagsbehandleren har sat den (null: neutral 'Dokument nr. N')"
    )
    released_sender: str | None = Field(description="Afsender/modtager i aktlisten, som den er sat")
    aktliste_title: str = Field(description="Titlen, som aktlisten trykker den (neutral række for undtaget)")
    aktliste_sender: str = Field(description="Afsender/modtager, som aktlisten trykker den")
    emission: bool | None = Field(
        description="MOL: oplysninger om emissioner til miljøet (null uden for MOL)"
    )
    assessed_by: str | None


class Hearing(_Response):
    """En partshøring: sendt med request_hearing, afsluttet med hearing_completed."""

    party: str | None
    question: str | None
    reply_by: str | None
    sent: dt.date
    reply: str | None
    completed: dt.date | None
    summary: str | None


class LetterInfo(_Response):
    """Et brev på sagen (hentes som .docx på /cases/{case_id}/letters/{id})."""

    id: int
    kind: str
    created: dt.datetime
    sha256: str
    filename: str
    archive_status: str
    archive_error: str | None
    archive_doc_id: str | None
    has_pdf: bool


class PackageCheckStep(_Response):
    """Én kontrol af en fil i udleveringspakken: ``check`` er ``cpr`` (CPR-reglen på filens tekst) eller
    ``redactions`` (lækagekontrollen af de overstregede steder); ``source`` hvad der blev læst
    (``text_layer``, ``screening``, ``leak_check``), ``read`` det samme med ord."""

    check: Literal["cpr", "redactions"]
    ok: bool
    source: Literal["text_layer", "screening", "leak_check"]
    read: str
    pages: int | None = Field(None, description="sider læst (cpr over tekstlaget)")
    found_on: list[int] = Field(default_factory=list, description="sider med et CPR-nummer")
    parts: int | None = Field(None, description="dele læst af lækagekontrollen")
    sha256: str | None = Field(None, description="SHA-256 af den overstregede fil, som blev kontrolleret")
    leaks: list[dict[str, Any]] = Field(default_factory=list, description="fund (aldrig selve teksten)")
    reason: str | None = None


class PackageFileCheck(_Response):
    """Kontrollen af én fil, som den kom i udleveringspakken (``number`` None: afgørelsen)."""

    file: str
    number: int | None
    document_id: int | None
    sha256: str
    pages: int
    checked_at: dt.datetime
    ok: bool
    checks: list[PackageCheckStep]


class PackagePdfa(_Response):
    """Om pakkens PDF er PDF/A-2b (valideret med pikepdf), og ellers hvorfor ikke (docs/release.md)."""

    pdfa: bool
    flavour: str | None
    reason: str | None


class PackageInfo(_Response):
    """En udleveringspakke på sagen (hentes som PDF på /cases/{case_id}/packages/{id}; docs/release.md)."""

    id: int
    trigger: str
    status: str
    status_label: str
    reason: str | None
    filename: str | None
    sha256: str | None
    size: int | None
    pages: int | None
    documents: int
    has_zip: bool
    created: dt.datetime
    made: dt.datetime | None
    archive_status: str
    checks: list[PackageFileCheck]
    checked: bool | None
    pdfa: PackagePdfa | None = None


class DispatchInfo(_Response):
    """Et brev til en modtager på vej ud (docs/dispatch.md): kanal, status, tidspunkt sendt, detalje."""

    model_config = ConfigDict(title="DispatchInfo")

    id: int
    letter_id: int
    letter_kind: str | None
    letter_label: str
    recipient_role: Literal["requester", "party", "appeal_body"]
    recipient: str
    channel: Literal["digital_post", "email", "print"]
    channel_label: str
    chosen_by: Literal["rule", "caseworker"]
    reason: str
    status: Literal["queued", "sent", "delivered", "printed", "rejected", "bounced", "exempt", "failed"]
    status_label: str
    attempts: int
    next_attempt: dt.datetime | None
    sent_at: dt.datetime | None = Field(
        description="Tidspunktet brevet blev sendt (det, der gælder for modtageren)"
    )
    reference: str | None
    detail: str | None
    updated: dt.datetime | None
    not_sent: bool = Field(description="Brevet blev ikke sendt (afvist, returneret, fejlet)")
    open: bool = Field(description="Kanalen kan endnu ændres")
    printable: bool = Field(description="Der er en printfil (GET …/dispatches/{id}/print)")


class DispatchChannelRequest(BaseModel):
    """Sagsbehandlerens kanal for et brev, der endnu ikke er sendt."""

    model_config = ConfigDict(strict=True, extra="forbid", title="DispatchChannelRequest")

    channel: Literal["digital_post", "email", "print"]


class ArchiveWaiting(_Response):
    """En arkivopgave, der venter (eller prøves igen)."""

    kind: str
    attempts: int
    error: str | None


class ArchiveFailed(_Response):
    """En arkivopgave, der er opgivet."""

    kind: str
    error: str | None


class Archive(_Response):
    """Hvor sagen står i arkivet (ESDH)."""

    status: Literal["created", "pending", "failed", "none"]
    sagsnummer: str | None
    archive_case_id: str | None
    waiting: list[ArchiveWaiting]
    failed: list[ArchiveFailed]


class EmployeeNotice(_Response):
    """En underretning af en medarbejder, som sagen handler om."""

    employee: str | None
    stage: str | None
    at: dt.datetime


class NarrowingAttempt(_Response):
    """Et registreret forsøg på at afgrænse anmodningen (OFL § 9, stk. 2, nr. 1)."""

    date: dt.date | None
    how: Literal["phone", "mail", "letter", "meeting"] | None
    answer: str | None = Field(description="Anmoderens svar; null: intet svar")


class RequestRefusal(_Response):
    """Afslag på hele anmodningen (OFL § 9, stk. 2; FVL § 9 a, stk. 2; GDPR art. 12, stk. 5)."""

    ground: str
    hours: int | None = Field(description="Anslået tidsforbrug i timer (OFL § 9, stk. 2, nr. 1)")
    reason: str | None
    attempts: list[NarrowingAttempt]


class EventEntry(_Response):
    """En hændelse i sagens log, ældste først."""

    seq: int
    trigger: str
    from_: str | None = Field(alias="from")
    to: str
    actor: str
    at: dt.datetime
    note: str | None
    data: dict[str, Any] = Field(description="Handlingens felter, som de blev gemt")


class StatusReturned(_Response):
    """Sendt tilbage af den juridiske kontakt (og ikke sendt til vurdering igen siden)."""

    by: str = Field(description="Den juridiske kontakts brugernavn")
    at: dt.datetime
    comment: str | None


class StatusApproved(_Response):
    """Den seneste juridiske godkendelse, mens sagen ikke er afgjort."""

    by: str = Field(description="Den juridiske kontakts brugernavn")
    at: dt.datetime
    lapsed: str | None = Field(
        description="Hvad der er ændret siden godkendelsen; null, mens den dækker sagen"
    )


class StatusNotice(_Response):
    """Fristbrevets åbne frist (OFL § 36, stk. 2)."""

    due: dt.date
    today: bool = Field(description="Fristbrevet skal sendes senest i dag")
    overdue: bool


class StatusHearing(_Response):
    """Den åbne høring."""

    party: str | None
    reply_by: dt.date | None
    overdue: bool


class CaseStatus(_Response):
    """Hvad sagssidens statuslinjer siger (aktflow.queries.case_page.status_facts)."""

    returned: StatusReturned | None
    approved: StatusApproved | None
    notice: StatusNotice | None
    hearing: StatusHearing | None
    overdue: list[str] = Field(description="Reglerne for de åbne frister, der er overskredet")


class Case(_Response):
    """Sagen som `aktflow case show --json` viser den (uden CPR-nummer); allowed_triggers er dem,
    API-nøglens rolle må udføre nu."""

    model_config = ConfigDict(title="Case")

    id: int
    state: StateName
    state_label: str
    version: int = Field(description="Sagens version (= ETag)")
    basis: Basis
    received: dt.date
    subject: str
    emne: str
    requester: str
    email: str | None
    address: str | None = Field(description="Postadressen til breve med post (linjer adskilt af linjeskift)")
    has_cpr: bool = Field(description="Der er oplyst et CPR-nummer til Digital Post (nummeret vises aldrig)")
    cvr: str | None
    channel: str | None
    sagsnummer: str | None
    assignee: str | None
    flagged: bool
    flag_reasons: list[str]
    outcome: Literal[CASE_OUTCOMES] | None  # type: ignore[valid-type]
    personnel: bool = Field(description="Personalesag (KLE 81 eller markeret): OFL § 41-underretninger")
    request_refusal: RequestRefusal | None
    narrowing_attempts: list[NarrowingAttempt]
    allowed_triggers: list[TriggerName]
    deadlines: list[Deadline]
    status: CaseStatus
    documents: list[Document]
    hearings: list[Hearing]
    letters: list[LetterInfo]
    packages: list[PackageInfo]
    dispatches: list[DispatchInfo]
    decision_not_sent: bool = Field(description="En afgørelse til anmoderen blev ikke sendt")
    archive: Archive
    employee_notices: list[EmployeeNotice]
    events: list[EventEntry]


class CaseSummary(_Response):
    """En sag i listen (GET /cases); CPR-numre i navn og emne er maskeret."""

    model_config = ConfigDict(title="CaseSummary")

    id: int
    state: StateName
    state_label: str
    version: int
    sagsnummer: str | None
    basis: Basis
    received: dt.date
    requester: str
    subject: str
    emne: str
    assignee: str | None
    #: Sagen er fortrolig for den, der spørger: anmoder og emne står som "Fortrolig sag" (docs/access.md).
    masked: bool = False


def _field_has_no_default(schema: dict[str, Any]) -> None:
    schema["properties"]["field"].pop("default", None)  # absent, never null


class LetterPreview(_Response):
    """Brevet, som handlingen ville sende det nu (intet gemmes). `sha256` sendes med handlingen som
    `data.letter_sha256`; `docx_base64` er brevet som .docx (base64)."""

    trigger: str
    kind: str
    filename: str
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    date: dt.date
    deferred: bool
    docx_base64: str


class Error(BaseModel):
    """En fejl: beskeden på dansk, og det felt, den handler om, når den handler om et bestemt felt."""

    model_config = ConfigDict(title="Error", extra="forbid", json_schema_extra=_field_has_no_default)

    error: str
    field: Annotated[
        str | None,
        WithJsonSchema({"type": "string", "description": "Feltet, når fejlen handler om et bestemt felt"}),
    ] = None


#: The models whose schemas the OpenAPI document names in components/schemas (with what they nest).
RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    Case,
    CaseSummary,
    Error,
    LetterPreview,
    *_redactions.RESPONSE_MODELS,
    *_access.RESPONSE_MODELS,
)
REQUEST_MODELS: tuple[type[BaseModel], ...] = (
    IntakeRequest,
    DispatchChannelRequest,
    *_redactions.REQUEST_MODELS,
    *_access.REQUEST_MODELS,
)
