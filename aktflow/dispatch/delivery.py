"""Dispatches: each letter to a person, to each recipient, on its way out through the outbox.

- :func:`create_for_letter` runs in the transaction that makes a letter (the effect ``MakeLetter``, and the
  outbox's deferred letters): one :class:`~aktflow.models.Dispatch` per recipient (:data:`rules.RECIPIENTS`),
  its channel chosen by :func:`aktflow.dispatch.rules.choose_channel`, and one outbox item of kind
  :data:`KIND`.
- :func:`deliver` is that item's outbox handler, after commit and outside any transaction: it turns the
  letter into PDF, waits for the decision's release package and attaches it, sends on the channel, and
  records what the channel said (status, time sent, reference, detail). Digital Post's ``exempt`` falls
  back to print at once.
- :func:`with_dispatches` gives the letters the outbox renders later (SBSYS) their dispatches.

The caseworker's actions (another channel, another try, "Sendt med post") are in
:mod:`aktflow.dispatch_actions`.

Never sent twice: the outbox claims an item for one worker, a dispatch already out is not sent again, and
the channel is handed the dispatch id as its idempotency key (Digital Post's message id, the e-mail's
Message-ID), so a retry after the channel accepted but before the result was stored repeats the same
message. The requester's CPR number is read from the case only to address Digital Post: it is never
stored on the dispatch, logged, or put in a detail.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..exits import mask
from ..models import Case, Dispatch, Event, Letter, OutboxItem, ReleasePackage, utcnow
from ..vocabulary import ANONYMOUS_REQUESTER
from . import rules
from .channel import Attachment, Channel, DeliveryResult, OutgoingLetter, Recipient

log = logging.getLogger("aktflow.dispatch")

#: The outbox kind of sending one dispatch.
KIND = "dispatch"
#: After this many temporary errors a dispatch is marked failed (shown on the case and the dashboard).
MAX_ATTEMPTS = 6


def configured_channels(settings: Any = None) -> set[str]:
    """The channels the installation's ``settings`` configure (default: read from the environment)."""
    from .channels import configured_names

    if settings is None:
        from ..config import load_settings

        settings = load_settings()
    return configured_names(settings)


def _address_lines(text: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (text or "").replace(";", "\n").splitlines() if x.strip())


def _recipient_row(session: Session, case: Case, role: str, data: Mapping[str, Any]) -> dict[str, Any] | None:
    if role == "requester":
        name = case.requester_name
        return {
            "recipient_name": "Anmoderen" if name == ANONYMOUS_REQUESTER else name,
            "recipient_email": case.requester_email,
            "recipient_address": case.requester_address,
            "digital": bool(case.requester_cpr or case.requester_cvr),
        }
    if role == "party":
        party = str(data.get("party") or "").strip()
        if not party:
            return None
        return {
            "recipient_name": party[:300],
            "recipient_email": None,
            "recipient_address": str(data.get("party_address") or "").strip() or None,
            "digital": False,
        }
    if role == "appeal_body":
        from ..appeal_routes import route_for

        route = route_for(session, case).as_dict()
        if not route.get("name"):
            return None
        return {
            "recipient_name": str(route["name"])[:300],
            "recipient_email": None,
            "recipient_address": route.get("address") or None,
            "digital": False,
        }
    return None


def create_for_letter(
    session: Session,
    case: Case,
    letter: Letter,
    data: Mapping[str, Any] | None = None,
    *,
    now: dt.datetime,
    configured: set[str] | None = None,
    settings: Any = None,
) -> list[Dispatch]:
    """The dispatches of a letter just made, in the same transaction: one per recipient of its kind, with
    the rule's channel, and an outbox item each. ``data`` is the trigger's input (the hearing's ``party``
    and ``party_address``). Returns the new rows ([] for a letter that is not dispatched)."""
    from ..outbox import enqueue

    configured = configured_channels(settings) if configured is None else configured
    out = []
    personal = rules.own_personal_data(case.basis)
    for role in rules.recipients_for(letter.kind):
        row = _recipient_row(session, case, role, data or {})
        if row is None:
            continue
        digital = row.pop("digital")
        choice = rules.choose_channel(
            has_cpr_or_cvr=digital,
            email=row["recipient_email"],
            wrote_by_email=role == "requester" and case.channel == rules.EMAIL_INTAKE,
            basis=case.basis,
            configured=configured,
            has_address=bool(row.get("recipient_address")),
        )
        d = Dispatch(
            case_id=case.id,
            letter_id=letter.id,
            recipient_role=role,
            channel=choice.channel,
            chosen_by="rule",
            reason=choice.reason,
            own_personal_data=personal and role == "requester",
            status="queued",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
            **row,
        )
        session.add(d)
        session.flush()
        enqueue(session, KIND, {"dispatch_id": d.id}, f"dispatch-{d.id}", case_id=case.id, now=now)
        out.append(d)
    return out


# --- sending ---------------------------------------------------------------------------------------------


def _package(session: Session, letter: Letter) -> ReleasePackage | None | bool:
    """The release package the decision ``letter`` carries: the row, None when the decision has none, or
    False while it is still being made."""
    seq = session.scalar(select(Event.seq).where(Event.id == letter.event_id)) if letter.event_id else None
    if seq is None:
        return False
    row = session.scalar(
        select(ReleasePackage).where(
            ReleasePackage.case_id == letter.case_id, ReleasePackage.event_seq == seq
        )
    )
    if row is None:
        return None
    if row.status == "pending":
        return False
    return row


def _letter_pdf(db: Any, letter_id: int) -> bytes:
    from ..case_letters import letter_pdf
    from ..outbox import DeliveryError

    try:
        pdf = letter_pdf(db, letter_id)
    except RuntimeError:
        raise DeliveryError(
            "brevet kunne ikke gøres til PDF med LibreOffice; prøves igen", retryable=True
        ) from None
    if pdf is None:
        raise DeliveryError(
            "brevet kan ikke gøres til PDF: LibreOffice (soffice) er ikke installeret på serveren",
            retryable=False,
        )
    return pdf


def _outgoing(db: Any, dispatch_id: int) -> OutgoingLetter | None:
    """The letter of dispatch ``dispatch_id`` ready for a channel, or None when it is out already. Raises
    NotReady while the decision's package is being made, DeliveryError when it is blocked."""
    from ..labels import LETTER_TITLES
    from ..outbox import DeliveryError, NotReady
    from ..release.service import package_filename

    with db.session() as s:
        d = s.get(Dispatch, dispatch_id)
        if d is None or d.status not in ("queued", "exempt"):
            return None
        letter = s.get_one(Letter, d.letter_id)
        case = s.get_one(Case, d.case_id)
        attachments: list[Attachment] = []
        if letter.kind in rules.WITH_PACKAGE:
            pkg = _package(s, letter)
            if pkg is False:
                raise NotReady()
            if isinstance(pkg, ReleasePackage):
                if pkg.status != "ready" or pkg.content is None:
                    raise DeliveryError(
                        f"udleveringspakken er blokeret: {mask(pkg.reason or '')}; afgørelsen er ikke sendt",
                        retryable=False,
                    )
                attachments.append(Attachment(package_filename(case), pkg.content))
        requester = d.recipient_role == "requester"
        recipient = Recipient(
            name=d.recipient_name,
            email=d.recipient_email,
            postal_address=_address_lines(d.recipient_address),
            cpr=case.requester_cpr if requester else None,
            cvr=case.requester_cvr if requester else None,
        )
        label = LETTER_TITLES.get(letter.kind, letter.kind)
        filename = letter.filename.rsplit(".", 1)[0] + ".pdf"
        case_number = case.sagsnummer or f"{case.id}"
        kind, own = letter.kind, d.own_personal_data
        letter_id = letter.id
    return OutgoingLetter(
        dispatch_id=dispatch_id,
        case_number=case_number,
        label=label,
        letter_kind=kind,
        recipient=recipient,
        main_document=Attachment(mask(filename), _letter_pdf(db, letter_id)),
        attachments=tuple(attachments),
        own_personal_data=own,
    )


def _send(channel: Channel, letter: OutgoingLetter) -> DeliveryResult:
    """The channel's answer; an exception from an adapter counts as a temporary error (never lost)."""
    try:
        return channel.send(letter)
    except Exception as e:  # noqa: BLE001 - a channel must not lose the dispatch
        log.warning("dispatch %s: channel %s raised %s", letter.dispatch_id, channel.name, type(e).__name__)
        return DeliveryResult("temporary_error", utcnow(), detail=f"fejl i kanalen ({type(e).__name__})")


def _print_channel(channels: Mapping[str, Channel]) -> Channel:
    from .print import PrintChannel

    return channels.get("print") or PrintChannel()


def deliver(db: Any, item: OutboxItem, *, channels: Mapping[str, Channel]) -> dict[str, Any]:
    """Outbox handler for :data:`KIND`: send the dispatch ``item.payload["dispatch_id"]`` once.

    Returns the recorded outcome. Raises ``outbox.NotReady`` while the decision's package is being made,
    and ``outbox.DeliveryError`` (retryable for a temporary error, until :data:`MAX_ATTEMPTS`) so the
    outbox's own backoff schedules the next try; the dispatch row shows the same.
    """
    from ..outbox import DeliveryError, backoff

    dispatch_id = int(item.payload["dispatch_id"])
    try:
        letter = _outgoing(db, dispatch_id)
    except DeliveryError as e:
        if not e.retryable:
            _record(db, dispatch_id, status="failed", detail=e.message, attempt=True)
        raise
    if letter is None:
        return {"dispatch_id": dispatch_id, "existing": True}
    with db.session() as s:
        d = s.get_one(Dispatch, dispatch_id)
        name = d.channel
    note = ""
    channel = channels.get(name)
    if channel is None and name != "print":
        note = f"{rules.CHANNEL_LABELS.get(name, name)} er ikke sat op; sendes med post. "
        name, channel = "print", _print_channel(channels)
    channel = channel or _print_channel(channels)
    result = _send(channel, letter)
    if result.status == "exempt" and name == "digital_post":
        note = "Modtageren er fritaget for Digital Post eller ikke tilmeldt; sendes med post. "
        name, channel = "print", _print_channel(channels)
        result = _send(channel, letter)
    detail = mask(note + (result.detail or ""))[:2000]
    if name == "print" and result.status == "sent":
        pdf = getattr(channel, "files", {}).pop(dispatch_id, None)
        _record(
            db,
            dispatch_id,
            status="printed",
            channel="print",
            detail=detail,
            reference=result.reference,
            print_pdf=pdf,
            attempt=True,
        )
        return {"dispatch_id": dispatch_id, "status": "printed"}
    if result.status in ("sent", "delivered"):
        _record(
            db,
            dispatch_id,
            status=result.status,
            channel=name,
            detail=detail,
            reference=result.reference,
            sent_at=result.at,
            attempt=True,
        )
        log.info("dispatch %s sent on %s", dispatch_id, name)
        return {"dispatch_id": dispatch_id, "status": result.status, "reference": result.reference}
    if result.status == "temporary_error":
        attempts = _record(db, dispatch_id, channel=name, detail=detail, attempt=True)
        if attempts >= MAX_ATTEMPTS:
            _record(db, dispatch_id, status="failed", detail=f"{detail} (opgivet efter {attempts} forsøg)")
            raise DeliveryError(detail, retryable=False)
        _record(db, dispatch_id, next_attempt_at=utcnow() + backoff(attempts))
        raise DeliveryError(detail, retryable=True)
    status = "exempt" if result.status == "exempt" else "rejected"
    _record(db, dispatch_id, status=status, channel=name, detail=detail, attempt=True)
    raise DeliveryError(detail or "afvist af kanalen", retryable=False)


def _record(db: Any, dispatch_id: int, *, attempt: bool = False, **values: Any) -> int:
    """Store what happened to dispatch ``dispatch_id`` in a short transaction of its own; returns attempts."""
    values = {k: v for k, v in values.items() if v is not None}
    values["updated_at"] = utcnow()
    if attempt:
        values["attempts"] = Dispatch.attempts + 1
    if values.get("status") in ("sent", "delivered", "printed", "rejected", "failed"):
        values["next_attempt_at"] = None
    with db.session() as s:
        s.execute(update(Dispatch).where(Dispatch.id == dispatch_id).values(**values))
        s.commit()
        return s.scalar(select(Dispatch.attempts).where(Dispatch.id == dispatch_id)) or 0


def with_dispatches(render: Any) -> Any:
    """Wrap the outbox handler of a deferred letter (``make_letter``, :func:`aktflow.case_letters.render_deferred`):
    after it made the letter, the letter's dispatches are written (once: a letter that has them already
    gets none again, so a retry after a crash between the two is safe)."""

    def handler(db: Any, item: OutboxItem) -> dict[str, Any]:
        result = render(db, item) or {}
        letter_id = result.get("letter_id")
        if letter_id:
            with db.session() as s:
                if s.scalar(select(Dispatch.id).where(Dispatch.letter_id == letter_id).limit(1)) is None:
                    letter = s.get_one(Letter, letter_id)
                    case = s.get_one(Case, letter.case_id)
                    create_for_letter(s, case, letter, item.payload.get("data") or {}, now=utcnow())
                    s.commit()
        return result

    return handler
