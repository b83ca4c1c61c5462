"""The contract every dispatch channel keeps: what goes in, what comes back.

A channel adapter (Digital Post, e-mail, print) is a small object with a ``name`` and one method,
``send(letter) -> DeliveryResult``. It never touches the database: the outbox loads the letter, calls
the channel outside any transaction, and records the result. Adapters must be idempotent on
``OutgoingLetter.dispatch_id`` where the channel allows it (Digital Post's message UUID, the e-mail's
Message-ID), so a retry after a timeout never delivers the letter twice.

CPR numbers travel only inside ``Recipient.cpr`` (for Digital Post addressing); no adapter may put
one in a log line, an exception message, a subject, a file name or ``DeliveryResult.detail``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, Protocol

ChannelName = Literal["digital_post", "email", "print"]

Status = Literal[
    "sent",  # handed over to the channel (e-mail accepted by the relay, print file made)
    "delivered",  # the channel confirms delivery (Digital Post accepted into the recipient's mailbox)
    "rejected",  # refused for good: invalid message or address; needs a person
    "exempt",  # the recipient is exempt from Digital Post / not registered: use print
    "temporary_error",  # try again later (timeout, 5xx, 4xx SMTP); the outbox retries with backoff
]


@dataclass(frozen=True)
class Recipient:
    """Who the letter goes to.

    ``postal_address`` is the lines under the name (street, postcode and town, country if not DK).
    ``cpr``/``cvr`` are for Digital Post addressing only (10 and 8 digits, no separators).
    """

    name: str
    email: str | None = None
    postal_address: tuple[str, ...] = ()
    cpr: str | None = None
    cvr: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file sent with the letter: ``content`` bytes, ``mime`` e.g. ``application/pdf``."""

    filename: str
    content: bytes
    mime: str = "application/pdf"


@dataclass(frozen=True)
class OutgoingLetter:
    """One letter to one recipient, ready for a channel.

    ``dispatch_id`` is the idempotency key (unique per letter and recipient); ``label`` is the
    subject / Digital Post label (never a CPR number); ``main_document`` is the letter as PDF;
    ``attachments`` the release package or other files. ``own_personal_data`` is true for
    partsaktindsigt (FVL) and GDPR art. 15 answers: such a letter is never sent by plain e-mail.
    """

    dispatch_id: int
    case_number: str
    label: str
    letter_kind: str
    recipient: Recipient
    main_document: Attachment
    attachments: tuple[Attachment, ...] = ()
    own_personal_data: bool = False


@dataclass(frozen=True)
class DeliveryResult:
    """What the channel said. ``at`` is timezone-aware UTC; ``detail`` is Danish, without CPR numbers."""

    status: Status
    at: dt.datetime
    reference: str | None = None
    detail: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class Channel(Protocol):
    """A dispatch channel adapter."""

    name: ChannelName

    def send(self, letter: OutgoingLetter) -> DeliveryResult:
        """Send ``letter`` once; never raise for a channel's answer (return ``temporary_error`` or
        ``rejected``), raise only for programming errors."""
        ...
