"""Letters on cases: which trigger makes which letter, the letter's data from the case, storing it.

A letter is rendered before the trigger's write transaction and stored in it: :func:`aktflow.service.fire`
first reads what the letter is made from (:func:`letter_input`: the letter's values, the template and
the case's version) in a transaction it rolls back, renders it with no transaction open
(:func:`render_input`; a template may take seconds), and then, in the write transaction, reads the input
again: the same input gives the same bytes, so the rendered letter is stored only when the input is
unchanged (else :class:`LetterChanged`, and fire() renders again). The letter is stored with the case
(kind, time, SHA-256, bytes) and handed to the archive port for journalising — through the outbox — in the
same transaction as the event. Stored letters are never changed; only their archive state moves.

A letter can be seen before it is made (:mod:`aktflow.letter_preview`, the same rendering) and is then
sent only as seen: a trigger's ``letter_sha256`` (the preview's fingerprint) must equal the SHA-256 of
the letter rendered at sending, and the decision letter must be the one the legal contact approved
(:func:`check_seen`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import appeal_routes, states
from .errors import ConflictError, WorkflowError
from .models import Case, CaseDeadline, Event, Letter, LetterTemplate, Setting, User, utcnow
from .states.case_rules import request_refusal
from .states.fields import UNSEEN
from .vocabulary import ANONYMOUS_REQUESTER, DECISION_RULES

if TYPE_CHECKING:
    from .archive import ArchivePort

# The letter each trigger sends (docs/domain.md §5): read from the workflow definition (its MakeLetter effects).
LETTER_FOR_TRIGGER = {t.name: t.letter for t in states.TRIGGERS.values() if t.letter}

MUNICIPALITY_KEY = "municipality"
DEFAULT_MUNICIPALITY = {
    "name": "Eksempel Kommune",
    "address": "Rådhuspladsen 1, 1234 Eksempelby",
    "phone": "70 10 20 30",
    "email": "post@eksempel.dk",
    "web": "www.eksempel.dk",
    "logo_text": "EKSEMPEL KOMMUNE",
    # The standard texts of a GDPR art. 15 decision (art. 15(1)(a)-(d), (g), (h) and (2)); a decision's own
    # text (send_decision's field of the same name) replaces one. An administrator words them for the
    # municipality; these are examples.
    "art15_purposes": "Vi behandler dine personoplysninger for at kunne behandle de sager, du er part i eller "
    "nævnt i, og for at træffe afgørelser og yde service efter lovgivningen på de områder, sagerne angår.",
    "art15_categories": "Almindelige personoplysninger (navn, adresse, kontaktoplysninger og sagens "
    "oplysninger) og, hvor sagen kræver det, CPR-nummer og følsomme oplysninger.",
    "art15_recipients": "Andre myndigheder, når loven kræver eller tillader det, og kommunens databehandlere "
    "(it-leverandører), der behandler oplysningerne på kommunens vegne.",
    "art15_storage": "Oplysningerne opbevares, så længe sagen behandles, og derefter efter arkivlovgivningen og "
    "kommunens regler for sletning.",
    "art15_source": "Fra dig selv, fra andre myndigheder og fra personer og virksomheder, der har henvendt sig "
    "til kommunen i sagen.",
    "art15_automated": "Vi træffer ikke afgørelser om dig alene på grundlag af automatisk behandling, herunder "
    "profilering.",
    "art15_transfers": "",
}
#: The art. 15 texts a GDPR decision that gives access cannot do without (art. 15(1)(a)-(d), (g), (h)).
ART15_REQUIRED = (
    "art15_purposes",
    "art15_categories",
    "art15_recipients",
    "art15_storage",
    "art15_source",
    "art15_automated",
)
ART15_KEYS = (*ART15_REQUIRED, "art15_transfers")


def municipality(session: Session) -> dict[str, str]:
    row = session.get(Setting, MUNICIPALITY_KEY)
    return {**DEFAULT_MUNICIPALITY, **(row.value if row else {})}


def _understanding(session: Session, case: Case) -> str | None:
    """How the request was understood: the latest clarification or the note given with the decision."""
    note = session.scalar(
        select(Event.note)
        .where(
            Event.case_id == case.id,
            Event.trigger.in_(("clarification_received", "send_decision")),
            Event.note.is_not(None),
        )
        .order_by(Event.seq.desc())
        .limit(1)
    )
    return note


def outcome(case: Case) -> str | None:
    """The decision outcome the assessments give (None while a document is unassessed); ``refusal`` when
    the whole request is refused (OFL § 9, stk. 2), whatever the register holds."""
    if request_refusal(case):
        return "refusal"
    docs = case.documents
    if not docs:
        return "none_found"
    if any(d.assessment is None for d in docs):
        return None
    granted = [d.assessment.outcome for d in docs if d.assessment is not None]  # all assessed (above)
    if all(o == "grant" for o in granted):
        return "full"
    if all(o == "refuse" for o in granted):
        return "refusal"
    return "partial"


def register_order(documents: Any) -> list[Any]:
    """The case's documents in the order of the register (the aktliste): by when they were added, each
    e-mail's attachments (``parent_id``) right after it. Numbering on the case page and in the letters
    follows this order."""
    docs = list(documents)
    children: dict[int | None, list[Any]] = {}
    known = {d.id for d in docs}
    for d in docs:
        children.setdefault(d.parent_id if d.parent_id in known else None, []).append(d)
    out: list[Any] = []

    def walk(parent: int | None) -> None:
        for d in sorted(children.get(parent, []), key=lambda x: x.id):
            out.append(d)
            walk(d.id)

    walk(None)
    return out


def assessment_of(doc: Any) -> dict[str, Any]:
    """A document's assessment as plain data, for the case page: ``outcome`` (None while unassessed),
    ``grounds`` (codes), ``extracted``, ``extraction_note``, ``meroffentlighed_note``, ``reason`` (for the
    requester), ``internal_note`` (never in a letter: :func:`letter_document` leaves it out),
    ``weighing_note``, ``emission``, and the aktliste's stored ``released_title``/``released_sender``."""
    a = doc.assessment
    return {
        "outcome": a.outcome if a else None,
        "grounds": list(a.grounds) if a else [],
        "extracted": bool(a and a.extracted),
        "extraction_note": a.extraction_note if a else None,
        "meroffentlighed_note": a.meroffentlighed_note if a else None,
        "reason": a.reason if a else None,
        "internal_note": a.internal_note if a else None,
        "weighing_note": a.weighing_note if a else None,
        "emission": a.emission if a else None,
        "released_title": doc.released_title,
        "released_sender": doc.released_sender,
    }


#: What a letter may know of a document's assessment: the texts for the requester, never the internal note.
LETTER_ASSESSMENT_KEYS = (
    "outcome",
    "grounds",
    "extracted",
    "extraction_note",
    "meroffentlighed_note",
    "reason",
    "weighing_note",
    "emission",
)


def letter_document(case: Case, doc: Any, no: int) -> dict[str, Any]:
    """One document as the letters see it: number, id, date, the original ``title``/``sender``/
    ``recipient`` (for letters to others than the requester: the hearing, the employee's notice), the
    aktliste's ``released_title``/``released_sender``/``neutral`` (:func:`aktflow.aktliste.released_row`:
    what the requester reads) and the assessment's texts for the requester. The internal note is left out,
    so no letter can print it."""
    from .aktliste import released_row

    a = assessment_of(doc)
    return {
        "no": no,
        "id": doc.id,
        "title": doc.title,
        "date": doc.doc_date,
        "sender": doc.sender,
        "recipient": doc.recipient,
        **{k: a[k] for k in LETTER_ASSESSMENT_KEYS},
        **released_row(case, doc, no),
    }


def narrowing_attempts(session: Session, case: Case) -> list[dict[str, Any]]:
    """The recorded attempts to narrow the request (``record_narrowing_attempt``), oldest first: ``date``
    (ISO), ``how`` (phone | mail | letter | meeting) and ``answer`` (the requester's answer; None: none)."""
    rows = session.scalars(
        select(Event)
        .where(Event.case_id == case.id, Event.trigger == "record_narrowing_attempt")
        .order_by(Event.seq)
    )
    return [
        {"date": e.data.get("date"), "how": e.data.get("how"), "answer": e.data.get("answer") or None}
        for e in rows
    ]


def request_refusal_of(session: Session, case: Case) -> dict[str, Any] | None:
    """The refusal of the whole request as recorded (None when there is none): ``ground`` (code),
    ``hours`` (the estimate, § 9, stk. 2, nr. 1), ``reason`` (the reasons written for the letter) and
    ``attempts`` (:func:`narrowing_attempts`)."""
    code = request_refusal(case)
    if code is None:
        return None
    last = session.scalar(
        select(Event)
        .where(Event.case_id == case.id, Event.trigger == "refuse_request")
        .order_by(Event.seq.desc())
        .limit(1)
    )
    reason = (last.data.get("reason") if last is not None else None) or None
    return {
        "ground": code,
        "hours": case.request_hours,
        "reason": reason,
        "attempts": narrowing_attempts(session, case),
    }


def context(
    session: Session,
    case: Case,
    data: dict[str, Any],
    *,
    actor: User | None,
    today: dt.date,
    note: str | None = None,
) -> dict[str, Any]:
    """The letter data for ``case`` (see letters.compose for what each kind uses)."""
    m = municipality(session)
    deadlines = {
        r.rule: r.due
        for r in session.scalars(
            select(CaseDeadline).where(CaseDeadline.case_id == case.id, CaseDeadline.active.is_(True))
        )
    }
    # The decision deadline of the case's own basis (MOL and GDPR: one month; OFL and FVL: 7 working
    # days), as aktflow.case_deadlines stored it; a MOL case's OFL 7 days are not its decision deadline.
    own = f"{case.basis}-decision"
    decision = deadlines.get(own) or next((deadlines[r] for r in DECISION_RULES if r in deadlines), None)
    caseworker = case.assignee or actor
    understanding = (
        note if data.get("_trigger") == "send_decision" and note else _understanding(session, case)
    )
    # While a document is unassessed (a preview, a draft), the letter counts the assessments made so far
    # ("delvis"): "none found" is said only of a case without documents.
    the_outcome = outcome(case) or ("partial" if case.documents else "none_found")
    return {
        "today": today,
        "municipality": {k: m[k] for k in ("name", "address", "phone", "email", "web", "logo_text")},
        "art15": art15(m, data, case.basis, outcome(case) or "none_found")
        if data.get("_trigger") == "send_decision"
        else {},
        # Where a complaint goes: the municipality's table by the case's KLE emne and basis (OFL § 37 stk.
        # 1, § 38 stk. 1; FVL: the main case's body or none; GDPR: Datatilsynet).
        "appeal_body": appeal_routes.route_for(session, case).as_dict(),
        "case": {
            "id": case.id,
            "sagsnummer": case.sagsnummer,
            "received": case.received,
            "basis": case.basis,
            "subject": case.subject,
            "emne": case.emne,
            "understanding": understanding,
            # An anonymous requester has no name in a letter (letters.compose addresses "anmoderen").
            "requester": {
                "name": None if case.requester_name == ANONYMOUS_REQUESTER else case.requester_name,
                "email": case.requester_email,
                "address": None,
            },
        },
        "caseworker": {"name": caseworker.name if caseworker else "", "title": "Sagsbehandler"},
        "documents": [
            letter_document(case, d, i) for i, d in enumerate(register_order(case.documents), start=1)
        ],
        "outcome": the_outcome,
        "request_refusal": request_refusal_of(session, case),
        "deadlines": {
            "decision": decision,
            "expected": deadlines.get("expected-decision"),
            # MOL § 4 stk. 3 / GDPR art. 12(3): the extension's letter states the new date
            "extended": deadlines.get(f"{case.basis}-decision")
            if data.get("_trigger") == "extend_deadline"
            else None,
        },
        "data": {k: v for k, v in data.items() if not k.startswith("_")}
        | ({"note": note} if note else {})
        | _delay_complaint(session, case, data),
    }


def art15(municipality: dict[str, Any], data: dict[str, Any], basis: str, the_outcome: str) -> dict[str, str]:
    """The GDPR art. 15 information of a decision: each text of :data:`ART15_KEYS` as given with the
    decision (``data``), else the municipality's standard text; {} for another basis. A decision that gives
    access (outcome ``full`` or ``partial``) needs every text of :data:`ART15_REQUIRED` (art. 15(1)(a)-(d),
    (g), (h)): ValidationError naming the field when one is empty in both places."""
    if basis != "gdpr":
        return {}
    from .errors import ValidationError

    values = {k: " ".join(str(data.get(k) or municipality.get(k) or "").split()) for k in ART15_KEYS}
    if the_outcome in ("full", "partial"):
        for key in ART15_REQUIRED:
            if not values[key]:
                raise ValidationError(
                    key,
                    "skal udfyldes: en afgørelse om indsigt efter databeskyttelsesforordningens artikel 15 skal "
                    "give disse oplysninger (artikel 15, stk. 1); udfyld feltet, eller angiv kommunens "
                    "standardtekst under Administration",
                )
    return values


def _delay_complaint(session: Session, case: Case, data: dict[str, Any]) -> dict[str, Any]:
    """For the forwarding of a complaint about the time taken (OFL § 39): ``{"complaint_received": date}``,
    the start of the case's latest ``delay-complaint-forward`` deadline; ``{}`` for other triggers."""
    if data.get("_trigger") != "forward_delay_complaint":
        return {}
    start = session.scalar(
        select(CaseDeadline.start)
        .where(CaseDeadline.case_id == case.id, CaseDeadline.rule == "delay-complaint-forward")
        .order_by(CaseDeadline.id.desc())
        .limit(1)
    )
    return {"complaint_received": start} if start else {}


def active_template(session: Session, kind: str) -> bytes | None:
    """The municipality's uploaded template for ``kind``, or None for the shipped one."""
    row = session.scalar(
        select(LetterTemplate)
        .where(LetterTemplate.kind == kind, LetterTemplate.active.is_(True))
        .order_by(LetterTemplate.id.desc())
        .limit(1)
    )
    return row.content if row else None


def render(
    session: Session,
    case: Case,
    kind: str,
    data: dict[str, Any],
    *,
    actor: User | None,
    today: dt.date,
    note: str | None = None,
) -> tuple[str, bytes]:
    import letters

    ctx = context(session, case, data, actor=actor, today=today, note=note)
    content = letters.render(kind, ctx, template=active_template(session, kind))
    return letters.filename(kind, ctx), content


#: The data key of the letter as it was seen (a ``fingerprint`` field): never an input of the letter.
SEEN = "letter_sha256"
#: The triggers whose letter the legal contact approves with the case (approve_legal's ``letter_sha256``
#: and ``letter_trigger``).
APPROVED_LETTER_TRIGGERS = ("send_decision", "send_partial_decision")
#: The decision whose letter the legal review page shows and its approve form covers.
APPROVED_LETTER_TRIGGER = "send_decision"


def letter_data(ctx: Any) -> dict[str, Any]:
    """The letter's input for the trigger being fired (or previewed): the trigger's clean data without
    the fingerprint, what the effects before the letter recorded, and ``_trigger``."""
    data = {k: v for k, v in ctx.data.items() if k != SEEN}
    return {**data, **ctx.recorded, "_trigger": ctx.trigger}


@dataclass(frozen=True)
class LetterInput:
    """Everything a letter's bytes depend on: ``kind`` (the template's kind), ``values`` (the letter data,
    :func:`context`), ``template`` (the municipality's uploaded template, None for the shipped one) and
    ``version`` (the case's version it was read at). Rendering is deterministic, so two equal inputs give
    the same .docx bytes (``letters.fingerprint``)."""

    kind: str
    values: dict[str, Any]
    template: bytes | None
    version: int


#: What fire() rendered before its write transaction: each input with its ``(file name, .docx bytes)``.
Rendered = list[tuple[LetterInput, tuple[str, bytes]]]


class LetterChanged(ConflictError):
    """The letter rendered before the write transaction is not the letter the case gives now: the case,
    its documents, a setting or the template changed meanwhile. fire() renders again; after
    ``service.LETTER_ATTEMPTS`` renderings that each met a change, the letter is rendered once inside the
    write transaction (docs/letter-preview.md)."""

    def __init__(self) -> None:
        super().__init__(
            "sagen blev ændret, mens brevet blev dannet; brevet er ikke gemt — prøv igen",
        )


def letter_input(
    session: Session, case: Case, kind: str, ctx: Any, *, today: dt.date | None = None
) -> LetterInput:
    """What the letter ``ctx``'s trigger makes is rendered from, read in ``session`` (dated ``today``,
    default ``ctx.today``). Reads only: it can be taken in a transaction that is rolled back."""
    values = context(
        session, case, letter_data(ctx), actor=ctx.actor, today=today or ctx.today, note=ctx.note
    )
    return LetterInput(kind, values, active_template(session, kind), case.version)


def render_input(given: LetterInput) -> tuple[str, bytes]:
    """The letter ``given`` describes, as ``(file name, .docx bytes)``. Opens no session: called with no
    transaction open, so a slow template (bounded, letters/bounded.py) holds no database lock. Raises
    ``letters.RenderRefused`` (a WorkflowError) for a template over a bound."""
    import letters

    content = letters.render(given.kind, given.values, template=given.template)
    return letters.filename(given.kind, given.values), content


def inputs_needed(session: Session, case: Case, kind: str, ctx: Any) -> list[LetterInput]:
    """The letters :func:`make_letter` will need rendered for ``ctx``'s trigger, read before its write
    transaction: the letter dated today and, for a decision whose letter the legal contact approved on
    another day, the same letter dated the approval's day (:func:`check_seen`). [] when the letter waits
    for the archive's case number (rendered later by the outbox)."""
    if ctx.archive.defer_letters and not case.sagsnummer:
        return []
    needed = [letter_input(session, case, kind, ctx)]
    day = _approval_day(ctx)
    if day is not None and day != ctx.today:
        needed.append(letter_input(session, case, kind, ctx, today=day))
    return needed


def _letter(session: Session, case: Case, kind: str, ctx: Any, today: dt.date) -> tuple[str, bytes]:
    """The letter dated ``today`` as ``(file name, .docx bytes)``: the one fire() rendered before its write
    transaction (``ctx.rendered``) when its input is still the input read now, else LetterChanged. Without
    a prepared rendering (``ctx.rendered`` None: a caller other than fire()), rendered here."""
    now_input = letter_input(session, case, kind, ctx, today=today)
    prepared = getattr(ctx, "rendered", None)
    if prepared is None:
        return render_input(now_input)
    for given, result in prepared:
        if given == now_input:
            return result
    raise LetterChanged()


def _approval_day(ctx: Any) -> dt.date | None:
    """The day of the latest legal approval that covers this decision's letter, or None."""
    if ctx.trigger not in APPROVED_LETTER_TRIGGERS:
        return None
    from .approval import approved_letter

    approvals = ctx.data_of("approve_legal")
    approved = approved_letter(approvals[-1].get("approved") if approvals else None, ctx.trigger)
    return dt.date.fromisoformat(approved["date"]) if approved is not None else None


def check_seen(session: Session, case: Case, kind: str, ctx: Any, content: bytes) -> None:
    """Refuse a letter that is not the one seen (WorkflowError; the whole trigger is rolled back).

    - ``ctx.data["letter_sha256"]``, the preview's fingerprint, must equal the SHA-256 of ``content``
      (``unseen`` or absent: not compared — the entrypoints ask for one or the other);
    - ``send_decision``'s or ``send_partial_decision``'s letter, in a case the legal contact approved with
      that decision's letter's fingerprint, must
      be that letter: rendered with the approval's date it must give the approved fingerprint (so the
      date alone does not lapse an approval; any other change does, docs/domain.md "Juridisk vurdering").
    """
    import letters

    sha = letters.fingerprint(content)
    seen = ctx.data.get(SEEN)
    if seen and seen != UNSEEN and seen != sha:
        raise WorkflowError(
            "brevet, som det dannes nu, er ikke det brev, der blev vist og bekræftet (sagen eller datoen "
            "er ændret siden); åbn forhåndsvisningen igen og bekræft brevet, som det er nu"
        )
    if ctx.trigger not in APPROVED_LETTER_TRIGGERS:
        return
    from .approval import LETTER_LAPSED, approved_letter

    approvals = ctx.data_of("approve_legal")
    approved = approved_letter(approvals[-1].get("approved") if approvals else None, ctx.trigger)
    if approved is None:
        return
    day = dt.date.fromisoformat(approved["date"])
    if day != ctx.today:
        _, then = _letter(session, case, kind, ctx, day)
        sha = letters.fingerprint(then)
    if sha != approved["sha256"]:
        raise WorkflowError(LETTER_LAPSED)


def make_letter(session: Session, case: Case, kind: str, ctx: Any) -> Letter | None:
    """Store the letter for the trigger being fired, and hand it to the archive.

    The letter is the one fire() rendered before this transaction (``ctx.rendered``), stored only when
    what it is made from is unchanged (:func:`_letter`; LetterChanged otherwise, and nothing is stored).

    With an archive that numbers cases later (SBSYS), a letter for a case without its number yet is
    rendered by the outbox once the number has arrived (the intention is stored now, with the event).
    """
    data = letter_data(ctx)
    if ctx.archive.defer_letters and not case.sagsnummer:
        from .outbox import enqueue

        if ctx.data.get(SEEN) not in (None, UNSEEN):
            raise WorkflowError(
                "brevet kan ikke sendes, som det er set: sagen har endnu ikke sit sagsnummer fra arkivet, "
                "og brevet dannes først, når nummeret er kommet; vent på sagsnummeret og se brevet igen"
            )

        seq = case.version + 1
        payload = {
            "case_id": case.id,
            "kind": kind,
            "data": data,
            "note": ctx.note,
            "actor": ctx.actor.username,
            "today": ctx.today.isoformat(),
            "seq": seq,
        }
        enqueue(
            session, "make_letter", payload, f"letter-{case.id}-{seq}-{kind}", case_id=case.id, now=ctx.now
        )
        ctx.recorded.setdefault("letters_deferred", []).append(kind)
        return None
    name, content = _letter(session, case, kind, ctx, ctx.today)
    check_seen(session, case, kind, ctx, content)
    letter = Letter(
        case_id=case.id,
        kind=kind,
        filename=name,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        created_at=ctx.now,
        archive_status="pending",
    )
    session.add(letter)
    session.flush()
    ctx.recorded.setdefault("letters", []).append({"id": letter.id, "kind": kind, "sha256": letter.sha256})
    ctx.letters.append(letter)
    ctx.archive.journalise(session, case, letter, now=ctx.now)
    return letter


def pdf_available() -> bool:
    return bool(shutil.which("soffice") or shutil.which("libreoffice"))


def letters_of(session: Session, case_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            Letter.id,
            Letter.kind,
            Letter.created_at,
            Letter.sha256,
            Letter.filename,
            Letter.archive_status,
            Letter.archive_error,
            Letter.archive_doc_id,
            Letter.pdf_content.is_not(None),
        )
        .where(Letter.case_id == case_id)
        .order_by(Letter.id)
    ).all()
    return [
        {
            "id": r[0],
            "kind": r[1],
            "created": r[2].isoformat(timespec="seconds"),
            "sha256": r[3],
            "filename": r[4],
            "archive_status": r[5],
            "archive_error": r[6],
            "archive_doc_id": r[7],
            "has_pdf": bool(r[8]),
        }
        for r in rows
    ]


def letter_pdf(db: Any, letter_id: int) -> bytes | None:
    """The letter's PDF/A copy, made with LibreOffice on first request and kept; None without LibreOffice.

    LibreOffice runs between two short transactions (read the letter; keep its PDF unless another request
    kept one meanwhile), never inside one."""
    import letters

    with db.session() as s:
        row = s.get(Letter, letter_id)
        if row is None:
            return None
        if row.pdf_content:
            return row.pdf_content
        content = row.content
    if not pdf_available():
        return None
    pdf = letters.to_pdf(content)
    if pdf:
        with db.session() as s:
            row = s.get(Letter, letter_id)
            if row is not None and not row.pdf_content:
                row.pdf_content = pdf
                s.commit()
            elif row is not None and row.pdf_content:
                pdf = row.pdf_content
    return pdf


def render_deferred(db: Any, item: Any, *, archive: ArchivePort) -> dict[str, Any]:
    """Outbox handler for ``make_letter``: render a letter that waited for the archive's case number.

    The letter is stored with the event that asked for it and journalised through ``archive`` (the
    installation's archive port, handed in by :mod:`aktflow.bootstrap`). Idempotent: a letter already
    made for that event is not made again. Raises ``outbox.NotReady`` while the case has no number.
    """
    from .outbox import NotReady

    p = item.payload
    with db.session() as s:
        case = s.get(Case, p["case_id"])
        if not case.sagsnummer:
            raise NotReady()
        event_id = s.scalar(select(Event.id).where(Event.case_id == case.id, Event.seq == p["seq"]))
        existing = s.scalar(
            select(Letter.id).where(
                Letter.case_id == case.id, Letter.kind == p["kind"], Letter.event_id == event_id
            )
        )
        if existing:
            return {"letter_id": existing, "existing": True}
        actor = s.scalar(select(User).where(User.username == p["actor"]))
        today = dt.date.fromisoformat(p["today"])
        name, content = render(s, case, p["kind"], p["data"], actor=actor, today=today, note=p.get("note"))
        letter = Letter(
            case_id=case.id,
            event_id=event_id,
            kind=p["kind"],
            filename=name,
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            created_at=utcnow(),
            archive_status="pending",
        )
        s.add(letter)
        s.flush()
        archive.journalise(s, case, letter, now=utcnow())
        s.commit()
        return {"letter_id": letter.id, "sha256": letter.sha256}
