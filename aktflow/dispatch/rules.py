"""Who a letter goes to and on which channel: the dispatch rule (docs/dispatch.md).

Pure functions over plain values: no database, no settings read here. :func:`recipients_for` names the
recipients of a letter kind; :func:`choose_channel` is the one channel rule, with the reason in Danish;
:func:`check_override` is what a caseworker may choose instead, before the letter is sent.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from ..screening.cpr import contains_cpr

#: The channels, in the words the case page uses.
CHANNEL_LABELS = {"digital_post": "Digital Post", "email": "E-mail", "print": "Post (print)"}
CHANNELS = tuple(CHANNEL_LABELS)

#: The statuses of a dispatch and their Danish labels. ``printed``: the print file is made and waits for
#: a person to post it and confirm "Sendt med post".
STATUS_LABELS = {
    "queued": "I kø",
    "sent": "Sendt",
    "delivered": "Leveret",
    "printed": "Klar til post",
    "rejected": "Afvist",
    "bounced": "Returneret",
    "exempt": "Fritaget for Digital Post",
    "failed": "Fejlet",
}
#: The statuses after which the letter is out (the requester has it, or it is in the post).
SENT = ("sent", "delivered")
#: The statuses that need a person: the letter did not go.
NOT_SENT = ("rejected", "bounced", "failed")
#: The statuses in which the channel may still be changed by the caseworker.
OPEN = ("queued", "exempt", *NOT_SENT)

#: The bases whose answers carry the requester's own personal data: partsaktindsigt (FVL § 9) and GDPR
#: art. 15. Such a letter is never sent by plain e-mail (docs/domain.md, "Forsendelse").
OWN_PERSONAL_DATA_BASES = ("fvl", "gdpr")
#: The bases of access for anyone (OFL, MOL): an answer may go by e-mail to a requester who wrote by e-mail.
EMAIL_BASES = ("ofl", "mol")
#: The intake channel that means the requester wrote by e-mail (``vocabulary.CHANNELS``).
EMAIL_INTAKE = "e-mail"
#: Why a letter cannot go by post: the recipient has no postal address (a print file would have only the
#: name in the envelope's window).
NO_ADDRESS = "ingen postadresse: udfyld adressen"

#: Who each letter to a person goes to (aktflow/case_letters.py, letters/compose.py): the requester, the
#: third party heard (its name and address from the trigger's ``party``/``party_address``, where a line may
#: be its e-mail address or ``CVR 12345678``: :func:`contact_of`), or the appeal body (its address, e-mail
#: and CVR number from the appeal-body table under Administration) with a copy to the requester. Letters not listed (``underretning_ansat``: the employee's address is
#: not in the case) are not dispatched: the caseworker sends them by hand.
RECIPIENTS: dict[str, tuple[str, ...]] = {
    "kvittering": ("requester",),
    "praecisering": ("requester",),
    "fristbrev": ("requester",),
    "hoering": ("party",),
    "delafgoerelse": ("requester",),
    "afgoerelse": ("requester",),
    "videresendelse": ("requester",),
    "klage_oversendelse": ("appeal_body", "requester"),
    "klage_forsinkelse": ("appeal_body", "requester"),
}
#: The letters that wait for their release package and carry it (aktflow/release/).
WITH_PACKAGE = ("afgoerelse", "delafgoerelse")


#: What to fill in, per recipient role, when a letter has no channel (shown as the dispatch's reason).
FILL_IN = {
    "party": "skriv partens postadresse, e-mailadresse eller CVR-nummer i feltet »Partens adresse« ved høringen",
    "appeal_body": "udfyld klageinstansens CVR-nummer (Digital Post), e-mail eller adresse under "
    "Administration → Klageinstanser",
}
_EMAIL_LINE = re.compile(r"^(?:e-?mail\s*:?\s*)?<?([^@\s<>:;,]+@[^@\s<>;,]+\.[A-Za-z]{2,})>?$", re.IGNORECASE)
_CVR_LINE = re.compile(
    r"^cvr(?:-?nr\.?|\s*nr\.?|-nummer)?\s*:?\s*(\d{2}\s?\d{2}\s?\d{2}\s?\d{2})$", re.IGNORECASE
)


@dataclass(frozen=True)
class Contact:
    """A recipient's addresses read from one free-text address: the postal lines, an e-mail, a CVR number."""

    postal: tuple[str, ...]
    email: str | None
    cvr: str | None


def contact_of(text: str | None) -> Contact:
    """Read a party's or appeal body's address text: each line (or ``;``-separated part) that is an e-mail
    address (``mail@example.dk``, ``E-mail: mail@example.dk``) or a CVR number (``CVR 12345678``,
    ``CVR-nr.: 12 34 56 78``) is taken as such; the other lines are the postal address."""
    postal: list[str] = []
    email = cvr = None
    for line in (x.strip() for x in (text or "").replace(";", "\n").splitlines()):
        if not line:
            continue
        m = _EMAIL_LINE.match(line)
        if m and email is None:
            email = m.group(1)
            continue
        c = _CVR_LINE.match(line)
        if c and cvr is None:
            cvr = re.sub(r"\s", "", c.group(1))
            continue
        postal.append(line)
    return Contact(tuple(postal), email, cvr)


def recipients_for(kind: str) -> tuple[str, ...]:
    """The recipient roles of a letter ``kind`` (``requester``, ``party``, ``appeal_body``); () for none."""
    return RECIPIENTS.get(kind, ())


def own_personal_data(basis: str) -> bool:
    """Whether an answer under ``basis`` carries the requester's own personal data (FVL, GDPR art. 15)."""
    return basis in OWN_PERSONAL_DATA_BASES


@dataclass(frozen=True)
class Choice:
    """The channel chosen for one letter and recipient, and why (Danish, shown on the case)."""

    channel: str
    reason: str


def choose_channel(
    *,
    has_cpr_or_cvr: bool,
    email: str | None,
    wrote_by_email: bool,
    basis: str,
    configured: Collection[str],
    role: str = "requester",
    has_postal_address: bool = True,
) -> Choice:
    """The dispatch rule for one letter to one recipient (docs/dispatch.md, "The rule").

    1. Digital Post when the recipient has a CPR or CVR number (the public sector's mandatory channel,
       lov om Digital Post fra offentlige afsendere § 3) and the channel is configured;
    2. e-mail when the requester wrote by e-mail (``wrote_by_email``), has an address, the basis is OFL
       or MOL and the letter does not carry their own personal data (FVL partsaktindsigt and GDPR art. 15
       never go by plain e-mail), and e-mail is configured;
    3. print otherwise (always available).

    ``configured`` names the channels the installation has (``print`` needs nothing). A channel the rule
    wanted that is not configured gives print, and the reason says so.

    Another ``role`` (``party``, ``appeal_body``) is not the person the case is about: Digital Post by its
    CVR (or CPR) number, else e-mail when it has an address and the basis is OFL or MOL (an FVL or GDPR
    case's letters carry a person's own data: never plain e-mail), else print. Without any address
    (``has_postal_address`` false and no e-mail or number) the channel is ``none`` and the reason says
    what to fill in (:data:`FILL_IN`).

    Print needs a postal address: a requester without one (``has_postal_address`` false) gets print with
    the reason :data:`NO_ADDRESS`, and the print channel refuses the letter until the address is filled
    in, so it never stands "Klar til post" with only a name in the window.
    """
    if email and contains_cpr(email):  # an address that holds a CPR number would carry it out in To:
        other = choose_channel(
            has_cpr_or_cvr=has_cpr_or_cvr,
            email=None,
            wrote_by_email=wrote_by_email,
            basis=basis,
            configured=configured,
            role=role,
            has_postal_address=has_postal_address,
        )
        return Choice(other.channel, f"{other.reason} ({CPR_IN_EMAIL})")
    if role != "requester":
        return _other_recipient(
            role,
            has_cpr_or_cvr=has_cpr_or_cvr,
            email=email,
            basis=basis,
            configured=configured,
            has_postal_address=has_postal_address,
        )
    choice = _choose(
        has_cpr_or_cvr=has_cpr_or_cvr,
        email=email,
        wrote_by_email=wrote_by_email,
        basis=basis,
        configured=configured,
    )
    if choice.channel == "print" and not has_postal_address:
        return Choice("print", f"Kan ikke sendes med post: {NO_ADDRESS} ({choice.reason})")
    return choice


def _choose(
    *, has_cpr_or_cvr: bool, email: str | None, wrote_by_email: bool, basis: str, configured: Collection[str]
) -> Choice:
    missing: list[str] = []
    if has_cpr_or_cvr:
        if "digital_post" in configured:
            return Choice("digital_post", "Modtageren har CPR- eller CVR-nummer: Digital Post")
        missing.append("Digital Post er ikke sat op")
    if wrote_by_email and email and basis in EMAIL_BASES and not own_personal_data(basis):
        if "email" in configured:
            return Choice(
                "email",
                "Anmoderen skrev med e-mail, og svaret er aktindsigt efter "
                + ("offentlighedsloven" if basis == "ofl" else "miljøoplysningsloven"),
            )
        missing.append("e-mail er ikke sat op (AKTFLOW_SMTP_URL)")
    if missing:
        return Choice("print", "Sendes med post: " + "; ".join(missing))
    if own_personal_data(basis) and email:
        return Choice(
            "print",
            "Sendes med post: svaret indeholder anmoderens egne personoplysninger og sendes aldrig med "
            "almindelig e-mail",
        )
    return Choice("print", "Sendes med post: ingen Digital Post eller e-mail at sende til")


def _other_recipient(
    role: str,
    *,
    has_cpr_or_cvr: bool,
    email: str | None,
    basis: str,
    configured: Collection[str],
    has_postal_address: bool,
) -> Choice:
    missing: list[str] = []
    if has_cpr_or_cvr:
        if "digital_post" in configured:
            return Choice("digital_post", "Modtageren har CVR-nummer: Digital Post")
        missing.append("Digital Post er ikke sat op")
    if email and basis in EMAIL_BASES:
        if "email" in configured:
            return Choice(
                "email",
                "Modtageren har en e-mailadresse, og sagen er efter "
                + ("offentlighedsloven" if basis == "ofl" else "miljøoplysningsloven"),
            )
        missing.append("e-mail er ikke sat op (AKTFLOW_SMTP_URL)")
    elif email:
        missing.append("brevet indeholder personoplysninger og sendes ikke med almindelig e-mail")
    if not has_postal_address and not has_cpr_or_cvr and not email:
        return Choice(
            "none",
            "Ingen kanal: modtageren har hverken adresse, e-mail eller CVR-nummer; "
            + FILL_IN.get(role, "udfyld modtagerens adresse"),
        )
    if not has_postal_address:
        return Choice(
            "none",
            "Ingen kanal: "
            + "; ".join(missing)
            + ", og der er ingen postadresse; "
            + FILL_IN.get(role, "udfyld modtagerens adresse"),
        )
    return Choice("print", "Sendes med post" + (": " + "; ".join(missing) if missing else ""))


#: Why an e-mail address is not used: it holds a CPR number, which the mail's To: would carry out.
CPR_IN_EMAIL = "e-mailadressen indeholder et CPR-nummer og bruges ikke: vælg Digital Post eller post"


def unknown_channel() -> str:
    """The Danish sentence for a channel that is none of :data:`CHANNELS`, naming them by their labels."""
    labels = list(CHANNEL_LABELS.values())
    return f"ukendt kanal: vælg {', '.join(labels[:-1])} eller {labels[-1]}"


def check_override(
    channel: str,
    *,
    has_cpr_or_cvr: bool,
    email: str | None,
    personal: bool,
    configured: Collection[str],
    has_address: bool = True,
) -> str | None:
    """Why ``channel`` may not be chosen for this recipient (a Danish sentence), or None when it may; print
    needs a postal address (``has_address``)."""
    if channel not in CHANNELS:
        return unknown_channel()
    if channel == "print":
        return None if has_address else NO_ADDRESS
    if channel == "email" and email and contains_cpr(email):
        return CPR_IN_EMAIL
    if channel == "email" and personal:
        return (
            "svar om partsaktindsigt og indsigt i egne personoplysninger sendes aldrig med almindelig "
            "e-mail: vælg Digital Post eller post"
        )
    if channel not in configured:
        return f"{CHANNEL_LABELS[channel]} er ikke sat op i denne installation"
    if channel == "digital_post" and not has_cpr_or_cvr:
        return "Digital Post kræver modtagerens CPR- eller CVR-nummer"
    if channel == "email" and not email:
        return "modtageren har ingen e-mailadresse"
    return None
