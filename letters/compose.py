"""Letter content: the template variables for each kind, computed from the case (all logic lives here).

``compose(kind, ctx)`` turns the plain case dict the service builds (see ``sample_context``) into the
Danish strings and lists a template prints. Templates only place them and hold the fixed wording, so the
communication team can edit a letter in Word without touching rules.

Choices, written down so the legal contact can check them:

* Sentences that depend on the legal basis or on the assessment (deadline rules, legal basis, outcome,
  reasoning, klagevejledning) are composed here; fixed wording sits in the templates.
* ``afgoerelse``: a fully granted request gets the aktliste but no reasoning and no klagevejledning
  (FVL § 22). Every other outcome gets both, *including none_found*: "no documents found" is a decision
  the requester may dispute (they may think documents exist), so it is complained about like a refusal.
* The aktliste prints each document's *released* title and sender/recipient (``released_title``,
  ``released_sender``: aktflow/aktliste.py), never the original; a neutral row says "Dokument nr. N".
  A withheld document whose facts were extracted says so in the list ("ekstrakt udleveres").
* Reasoning (FVL § 24): the rule the decision rests on (OFL § 7, FVL § 9, MOL § 2, GDPR art. 15), each
  used ground's catalogue sentence once (first use, document order) — without "efter en konkret
  afvejning" where no weighing was recorded, and without § 21, stk. 2's promise of the stk. 3 and 4
  information where nothing under it is released — § 34 for partly released documents, each withheld
  document's ``reason`` (written for the requester), the recorded main considerations of a weighing
  (``weighing_note``), §§ 28-29 extraction for the documents it was done for with what was extracted
  (``extraction_note``), and § 14 meroffentlighed for the documents where it was considered
  (``meroffentlighed_note``). An assessment's internal note never reaches the letter data.
* klagevejledning (FVL § 25), from the case's appeal route (``appeal_body``: the municipality's table,
  aktflow.appeal_routes; docs/domain.md "Appeal bodies"): OFL and MOL: the sector appeal body (§ 37, stk.
  1) or Ankestyrelsen's supervision (§ 38, stk. 1), sent to the municipality first, which reconsiders and
  forwards within 7 working days if it keeps its decision (§ 37, stk. 2); a sector body's 20 working days
  (§ 37, stk. 3). FVL: the main case's appeal body, or that there is none; no statutory 7 days. GDPR:
  Datatilsynet, directly (art. 77), also on a full grant. No complaint deadline anywhere: OFL has none.
* GDPR: a decision that gives access carries the art. 15(1)(a)-(h) and (2) information (``art15`` in the
  case data); a refusal the art. 12(4) information.
* A refusal of the whole request (OFL § 9, stk. 2; ``request_refusal`` in the data) states only what was
  recorded: each attempt to narrow the request (date, how, the answer or that none came) and the estimated
  hours for § 9, stk. 2, nr. 1, the caseworker's reasons, and the klagevejledning; the aktliste shows the
  register's documents as refused under that ground. No "we tried in dialogue with you" without a record.
* ``hoering`` is addressed to the third party and does not name the requester (no rule requires it).
  ``underretning_ansat`` names the requester: OFL § 41 says the employee is told who asked.
* An anonymous request (OFL and MOL; the case data has no requester name) is addressed "Til anmoderen"
  above the e-mail address, and a letter that speaks of the requester says "en anmoder, der ikke har
  oplyst sit navn".
* Free text (requester, notes) is cleaned of control characters that are illegal in Word XML or that
  docxtpl would turn into paragraph or page breaks; line breaks stay line breaks.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from aktflow import grounds
from aktflow.clock import local_date
from aktflow.labels import DOCUMENT_OUTCOME_LABELS
from aktflow.vocabulary import DOCUMENT_OUTCOMES

KINDS = (
    "kvittering",
    "praecisering",
    "fristbrev",
    "hoering",
    "underretning_ansat",
    "delafgoerelse",
    "afgoerelse",
    "videresendelse",
    "klage_oversendelse",
    "klage_forsinkelse",
)

MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip

# The law's own routes where the municipality's table names none (aktflow.appeal_bodies keeps the table):
# Ankestyrelsen's supervision for a municipal OFL/MOL decision (OFL § 38 stk. 1), Datatilsynet for GDPR.
DEFAULT_APPEAL_BODY = "Ankestyrelsen"
ANKESTYRELSEN_ADDRESS = "Teglholmsgade 3, 2450 København SV"
DATATILSYNET = ("Datatilsynet", "Carl Jacobsens Vej 35, 2500 Valby")
# An anonymous requester (no name in the case data): the address block's first line, and the requester as
# a letter to someone else names them.
ANONYMOUS_ADDRESSEE = "Til anmoderen"
ANONYMOUS_NAMED = "en anmoder, der ikke har oplyst sit navn"

# Duties with no standard sentence for a basis in the catalogue (FVL § 14 meroffentlighed, GDPR): plain
# sentences without paragraph numbers.
_DUTY_FALLBACK = {
    "meroffentlighed": (
        "Vi har overvejet, om du kan få aktindsigt i videre omfang, end du har krav på, men vi har ikke "
        "fundet grundlag for det."
    ),
    "extraction": "Vi har udleveret de oplysninger i dokumenterne, som ikke er undtaget.",
    "partial": "Dokumentets øvrige indhold er udleveret, fordi undtagelsen kun gælder en del af dokumentet.",
}
_ACCESS_RULE = {
    "ofl": "offentlighedslovens § 7",
    "fvl": "forvaltningslovens § 9",
    "mol": "miljøoplysningslovens § 2, stk. 1",
    "gdpr": "databeskyttelsesforordningens artikel 15",
}
_BASIS_SENTENCE = {
    "ofl": "Vi har behandlet din anmodning efter offentlighedsloven.",
    "fvl": "Du er part i sagen, og vi har derfor behandlet din anmodning efter reglerne om partsaktindsigt i "
    "forvaltningsloven.",
    "mol": "Din anmodning angår miljøoplysninger, og vi har derfor behandlet den efter miljøoplysningsloven "
    "og offentlighedsloven.",
    "gdpr": "Vi har behandlet din anmodning efter reglerne om indsigtsret i databeskyttelsesforordningens "
    "artikel 15.",
}
_HANDLING_RULE = {
    "ofl": "Efter offentlighedsloven skal vi behandle din anmodning hurtigst muligt. Har vi ikke truffet "
    "afgørelse inden 7 arbejdsdage efter, at vi modtog den, får du besked om hvorfor, og om hvornår du kan "
    "forvente en afgørelse (offentlighedslovens § 36).",
    "fvl": "Vi behandler din anmodning hurtigst muligt. Har vi ikke imødekommet eller afslået den inden 7 "
    "arbejdsdage efter, at vi modtog den, skal vi give dig besked om grunden og om, hvornår du kan forvente "
    "en afgørelse (forvaltningslovens § 16, stk. 2).",
    "mol": "Efter miljøoplysningslovens § 4, stk. 3, skal vi træffe afgørelse hurtigst muligt og senest 1 "
    "måned efter, at vi modtog din anmodning. Gør anmodningens omfang og kompleksitet det nødvendigt, kan "
    "fristen forlænges til 2 måneder; i så fald får du besked inden for den første måned.",
    "gdpr": "Efter databeskyttelsesforordningens artikel 12, stk. 3, skal vi svare dig uden unødig "
    "forsinkelse og senest 1 måned efter, at vi modtog din anmodning. Fristen kan forlænges med 2 måneder, "
    "hvis anmodningens kompleksitet eller antallet af anmodninger gør det nødvendigt; i så fald får du "
    "besked inden for den første måned.",
}
_NOTICE_RULE = {
    "ofl": "Efter offentlighedslovens § 36, stk. 2, skal vi give dig besked, når vi ikke kan træffe "
    "afgørelse inden 7 arbejdsdage efter, at vi modtog din anmodning.",
    "fvl": "Efter forvaltningslovens § 16, stk. 2, skal vi give dig besked om grunden og om, hvornår du kan "
    "forvente en afgørelse, når vi ikke har imødekommet eller afslået din anmodning inden 7 arbejdsdage "
    "efter, at vi modtog den.",
    "mol": "Efter miljøoplysningslovens § 4, stk. 3, kan fristen for afgørelse forlænges fra 1 til 2 "
    "måneder, når anmodningens omfang og kompleksitet gør det nødvendigt.",
    "gdpr": "Efter databeskyttelsesforordningens artikel 12, stk. 3, kan fristen for at svare forlænges med "
    "2 måneder, når anmodningens kompleksitet eller antallet af anmodninger gør det nødvendigt.",
}
_DELAY_COMPLAINT = (
    "Har vi ikke færdigbehandlet din anmodning 14 arbejdsdage efter, at vi modtog den, kan du klage over "
    "sagsbehandlingstiden. Klagen sender du til os (offentlighedslovens § 39)."
)

# Characters that are illegal in XML 1.0, plus \a and \f, which docxtpl turns into paragraph and page
# breaks. \t and \n stay (a tab and a line break).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


# --- small helpers ---------------------------------------------------------------------------------------


def as_date(value: Any) -> dt.date | None:
    """A date from a date, a datetime or an ISO string ("2026-12-18", "2026-12-18T10:00:00"); else None.

    An aware datetime gives its date in Denmark (``aktflow.clock.local_date``): 23:30 UTC on 31 December
    is 1 January in the letter.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return local_date(value) if value.tzinfo is not None else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 10:
            moment = dt.datetime.fromisoformat(text)
            if moment.tzinfo is not None:
                return local_date(moment)
        return dt.date.fromisoformat(text[:10])
    raise TypeError(f"not a date: {value!r}")


def danish_date(value: Any) -> str:
    """ "18. december 2026" for a date, datetime or ISO string; "" for None."""
    d = as_date(value)
    return f"{d.day}. {MONTHS[d.month - 1]} {d.year}" if d else ""


def text(value: Any) -> str:
    """Free text for a letter: "" for None, control characters removed, line breaks normalised."""
    if value is None:
        return ""
    s = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", s).strip()


def _n(count: int, one: str = "dokument", many: str = "dokumenter") -> str:
    return f"{count} {one if count == 1 else many}"


def _join(items: list[str]) -> str:
    """ "a", "a og b", "a, b og c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def _lines(*parts: Any) -> str:
    return "\n".join(t for t in (text(p) for p in parts) if t)


def _basis(ctx: dict) -> str:
    basis = (ctx.get("case") or {}).get("basis") or "ofl"
    if basis not in grounds.BASES:
        raise ValueError(f"unknown legal basis {basis!r}; expected one of {', '.join(grounds.BASES)}")
    return basis


def _duty(duty: str, basis: str) -> str:
    try:
        return grounds.duty_text(duty, basis)
    except KeyError:
        return _DUTY_FALLBACK[duty]


def _ground(code: str) -> grounds.Ground:
    try:
        return grounds.get(code)
    except KeyError:
        raise ValueError(f"unknown ground code {code!r} on a document; a decision cannot cite it") from None


def _doc_ref(d: dict) -> str:
    """A document as a letter to a party names it: its number and the title the aktliste would print
    (:func:`_released_ref`), never the original title, which may tell what is kept back (a diagnosis, a
    person's name)."""
    return _released_ref(d)


# --- the parts every letter shares -------------------------------------------------------------------------


def quoted(value: Any) -> str:
    """Text quoted as written, in Danish quotation marks: »…«; "" for nothing."""
    t = text(value)
    return f"»{t}«" if t else ""


def _request_sentence(case: dict, kind_of_access: str) -> str:
    """ "Vi har den 14. december 2026 modtaget din anmodning om aktindsigt. Anmodningen er registreret
    sådan: »…«" — the request's text is quoted once, never pasted into the sentence (it often begins
    "Aktindsigt i …")."""
    received, subject = danish_date(case.get("received")), quoted(case.get("subject"))
    when = f" den {received}" if received else ""
    about = f" Anmodningen er registreret sådan: {subject}" if subject else ""
    return f"Vi har{when} modtaget din anmodning om {kind_of_access}.{about}"


def _common(ctx: dict) -> dict[str, Any]:
    m = ctx.get("municipality") or {}
    case = ctx.get("case") or {}
    requester = case.get("requester") or {}
    worker = ctx.get("caseworker") or {}
    basis = _basis(ctx)
    phone = text(m.get("phone"))
    contact = [f"Tlf. {phone}" if phone else "", text(m.get("email")), text(m.get("web"))]
    sagsnr = text(case.get("sagsnummer")) or text(case.get("id"))
    name = text(requester.get("name"))
    kind_of_access = "indsigt i dine personoplysninger" if basis == "gdpr" else "aktindsigt"
    return {
        "logo_tekst": text(m.get("logo_text")) or text(m.get("name")),
        "kommune_navn": text(m.get("name")),
        "kommune_adresse": text(m.get("address")),
        "kommune_linje": " · ".join(t for t in (text(m.get("name")), text(m.get("address"))) if t),
        "kommune_kontakt": " · ".join(c for c in contact if c),
        "dato": danish_date(ctx.get("today") or dt.date.today()),
        "sagsnr": sagsnr,
        "modtager": _lines(name or ANONYMOUS_ADDRESSEE, requester.get("address"), requester.get("email")),
        "anmoder_navn": name or ANONYMOUS_NAMED,
        "emne": text(case.get("subject")),
        "modtaget": danish_date(case.get("received")),
        "indsigtstype": kind_of_access,
        "anmodning": _request_sentence(case, kind_of_access),
        "sagsbehandler_navn": text(worker.get("name")),
        "sagsbehandler_titel": text(worker.get("title")),
    }


# --- the decision: aktliste, reasoning, klagevejledning ----------------------------------------------------


def _released_title(d: dict) -> str:
    """The title the aktliste prints for ``d``: its released title (``aktflow.aktliste.released_row``),
    never the original; "Dokument nr. N" when none is given."""
    return text(d.get("released_title")) or f"Dokument nr. {text(d.get('no'))}"


def _released_ref(d: dict) -> str:
    """ "Dokument nr. 2 (Naboindsigelse)" with the released title; "Dokument nr. 2" for a neutral row."""
    title = text(d.get("released_title"))
    ref = f"Dokument nr. {text(d.get('no'))}"
    return ref if d.get("neutral") or not title or title == ref else f"{ref} ({title})"


def _decision_label(d: dict) -> str:
    """The aktliste's decision for ``d``: the outcome, and for a withheld document whose facts were
    extracted (OFL § 28) that the extract is released, so the list and the reasoning agree."""
    label = DOCUMENT_OUTCOME_LABELS.get(d.get("outcome"), "Ikke afgjort")
    if d.get("outcome") in ("partial", "refuse") and d.get("extracted"):
        label += " (ekstrakt udleveres)"
    return label


def _aktliste(docs: list[dict]) -> list[dict[str, str]]:
    """The aktliste's rows: number, date, the *released* title and sender/recipient (never the original:
    the list must not disclose what is withheld), the decision and the grounds' labels."""
    return [
        {
            "nr": text(d.get("no")),
            "dato": danish_date(d.get("date")),
            "titel": _released_title(d),
            "afsender_modtager": text(d.get("released_sender")),
            "afgoerelse": _decision_label(d),
            "grunde": "\n".join(_ground(c).label for c in d.get("grounds") or []),
        }
        for d in docs
    ]


def _outcome_sentence(outcome: str, docs: list[dict], basis: str) -> str:
    word = "indsigt" if basis == "gdpr" else "aktindsigt"
    counts = {o: sum(1 for d in docs if d.get("outcome") == o) for o in DOCUMENT_OUTCOMES}
    attached = f" De dokumenter, du får {word} i, er vedlagt." if counts["grant"] + counts["partial"] else ""
    if outcome == "none_found":
        return (
            "Vi har søgt efter dokumenter, der er omfattet af din anmodning, men vi har ikke fundet nogen. "
            f"Der er derfor ikke noget at give {word} i."
        )
    if outcome == "full":
        which = "det dokument" if len(docs) == 1 else f"alle de {len(docs)} dokumenter"
        return f"Du får {word} i {which}, der er omfattet af din anmodning.{attached}"
    if outcome == "refusal":
        if not docs:
            return f"Vi giver dig afslag på {word}."
        which = "det dokument" if len(docs) == 1 else f"de {len(docs)} dokumenter"
        return f"Vi giver dig afslag på {word} i {which}, der er omfattet af din anmodning."
    parts = []
    if counts["grant"]:
        parts.append(f"fuld {word} i {_n(counts['grant'])}")
    if counts["partial"]:
        parts.append(f"delvis {word} i {_n(counts['partial'])}")
    sentence = f"Du får {_join(parts)}." if parts else ""
    if counts["refuse"]:
        sentence += f" Vi har undtaget {_n(counts['refuse'])} fra {word}."
    return (sentence + " Du kan se vores afgørelse for hvert dokument i aktlisten." + attached).strip()


_EXTRACTION_RULE = {
    "ofl": "offentlighedslovens §§ 28 og 29",
    "mol": "offentlighedslovens regler om ekstrahering",
    "fvl": "forvaltningslovens § 14 a",
}


def _ground_sentence(g: grounds.Ground, citing: list[dict]) -> str:
    """The ground's standard sentence, saying only what was recorded for the documents ``citing`` it: no
    "konkret afvejning" (or MOL weighing) without a recorded weighing, and § 21, stk. 2's promise of the
    stk. 3 and 4 information only where a document under it is released in part."""
    sentence = g.reasoning
    if not any(text(d.get("weighing_note")) for d in citing):
        for phrase in grounds.WEIGHING_PHRASES:
            sentence = sentence.replace(phrase, "")
    if not any(d.get("outcome") == "partial" for d in citing):
        sentence = sentence.replace(grounds.PERSONNEL_RELEASE_CLAUSE, "")
    return sentence


def _refs(docs: list[dict]) -> str:
    nos = [text(d.get("no")) for d in docs]
    return f"dokument nr. {_join(nos)}"


def _reasoning(docs: list[dict], basis: str, outcome: str) -> list[str]:
    """The reasoning paragraphs (FVL § 24); empty for a fully granted request.

    Only what was recorded: each cited ground's sentence once (:func:`_ground_sentence`), § 34 for the
    documents released in part, each withheld document's reason for the requester, the main
    considerations of a weighing where one was recorded, extraction (OFL §§ 28-29) for the documents it
    was done for, with what was extracted, and § 14 meroffentlighed for the documents where it was
    considered, with why it was refused. Never an internal note, never an original title.
    """
    if outcome == "full":
        return []
    withheld = [d for d in docs if d.get("outcome") in ("partial", "refuse")]
    codes = list(dict.fromkeys(c for d in withheld for c in d.get("grounds") or []))
    rule = f"Afgørelsen er truffet efter {_ACCESS_RULE[basis]}"
    paras = [rule + (" og de undtagelsesbestemmelser, der er nævnt nedenfor." if codes else ".")]
    paras += list(
        dict.fromkeys(
            _ground_sentence(_ground(c), [d for d in withheld if c in (d.get("grounds") or [])])
            for c in codes
        )
    )
    partial = [d for d in docs if d.get("outcome") == "partial"]
    if partial:
        paras.append(f"{_refs(partial).capitalize()} er udleveret delvis. {_duty('partial', basis)}")
    paras += [f"{_released_ref(d)}: {text(d['reason'])}" for d in withheld if text(d.get("reason"))]
    weighing = (
        "afvejning af offentlighedens interesse i oplysningerne"
        if basis == "mol"
        else "de hovedhensyn, der har været afgørende for vores afvejning"
    )
    paras += [
        f"{_released_ref(d)} – {weighing}: {text(d['weighing_note'])}"
        for d in withheld
        if text(d.get("weighing_note"))
    ]
    extracted = [d for d in withheld if d.get("extracted")]
    if extracted and basis in _EXTRACTION_RULE:
        paras.append(
            f"Fra {_refs(extracted)} har vi efter {_EXTRACTION_RULE[basis]} ekstraheret og udleveret "
            "oplysninger om sagens faktiske grundlag og faglige vurderinger, selv om dokumentet i øvrigt er "
            "undtaget."
        )
        paras += [
            f"{_released_ref(d)} – ekstraheret og udleveret: {text(d['extraction_note'])}"
            for d in extracted
            if text(d.get("extraction_note"))
        ]
    considered = [d for d in withheld if text(d.get("meroffentlighed_note"))]
    if considered and basis != "gdpr":
        where = (
            "reglen om meroffentlighed i offentlighedslovens § 14"
            if basis != "fvl"
            else "reglen om meroffentlighed"
        )
        paras.append(
            f"For {_refs(considered)} har vi overvejet, om du kan få aktindsigt i videre omfang efter "
            f"{where}, men vi har ikke fundet grundlag for det."
        )
        paras += [f"{_released_ref(d)}: {text(d['meroffentlighed_note'])}" for d in considered]
    return paras


_HOW = {
    "phone": "telefonisk",
    "mail": "skriftligt pr. e-mail",
    "letter": "med et brev",
    "meeting": "på et møde",
}


def _narrowing(attempts: list[dict]) -> list[str]:
    """One sentence per recorded attempt to narrow the request, with the answer or that none came: only
    what was recorded, never a dialogue that did not take place."""
    out = []
    for a in attempts:
        when = danish_date(a.get("date"))
        how = _HOW.get(a.get("how") or "", "")
        answer = text(a.get("answer"))
        said = f"Du svarede: {answer}" if answer else "Vi har ikke fået svar fra dig."
        tried = " ".join(w for w in ("Den", when, "forsøgte vi", how) if w)
        out.append(f"{tried} at få afgrænset din anmodning sammen med dig. {said}")
    return out


def _request_refusal(ctx: dict, refusal: dict, basis: str) -> dict[str, Any]:
    """The decision parts of a refusal of the whole request (OFL § 9, stk. 2; FVL § 9 a, stk. 2; GDPR art.
    12, stk. 5): the result, the ground's reasoning, the recorded attempts to narrow the request and the
    estimated hours (§ 9, stk. 2, nr. 1), the caseworker's reasons, and the klagevejledning."""
    ground = _ground(refusal["ground"])
    word = "indsigt" if basis == "gdpr" else "aktindsigt"
    paras = [f"Afgørelsen er truffet efter {_ACCESS_RULE[basis]} og {ground.paragraph}.", ground.reasoning]
    if refusal["ground"] == "ofl-9-2-1":
        paras += _narrowing(refusal.get("attempts") or [])
        hours = refusal.get("hours")
        if hours:
            paras.append(
                f"Vi har anslået, at behandlingen af din anmodning vil tage ca. {hours} timer. Efter "
                "forarbejderne til offentlighedslovens § 9, stk. 2, nr. 1, kan en anmodning som udgangspunkt "
                "afslås, når behandlingen vil tage mere end ca. 25 timer."
            )
    if text(refusal.get("reason")):
        paras.append(text(refusal["reason"]))
    docs = [{**d, "outcome": "refuse", "grounds": [refusal["ground"]]} for d in ctx.get("documents") or []]
    return {
        "aktliste": _aktliste(docs),
        "resultat": f"Vi giver dig afslag på {word} i hele din anmodning.",
        "begrundelse": paras,
        "klagevejledning": _klagevejledning(ctx, basis),
    }


def _complaint_to(ctx: dict) -> str:
    m = ctx.get("municipality") or {}
    email, address = text(m.get("email")), text(m.get("address"))
    if email and address:
        return f"Du kan sende klagen til {email} eller med post til {text(m.get('name')) or 'os'}, {address}."
    if email or address:
        return f"Du kan sende klagen til {email or address}."
    return ""


def appeal_route(ctx: dict, basis: str) -> dict[str, str]:
    """Where a complaint goes, from the case data's ``appeal_body`` (``aktflow.appeal_bodies``: name,
    address, kind): ``{"kind", "name", "address"}``. Kind ``klageinstans`` (a sector appeal body, OFL § 37
    stk. 1), ``tilsyn`` (Ankestyrelsen's supervision, OFL § 38 stk. 1), ``datatilsynet`` (GDPR, always) or
    ``ingen`` (FVL without an appeal body). Without a kind, a named body is a ``klageinstans``; without
    anything, the law's own route for the basis."""
    given = ctx.get("appeal_body") or {}
    name, address, kind = text(given.get("name")), text(given.get("address")), text(given.get("kind"))
    if basis == "gdpr":  # always Datatilsynet (art. 77); the table may give its current address
        if kind != "datatilsynet":
            name, address = DATATILSYNET
        return {
            "kind": "datatilsynet",
            "name": name or DATATILSYNET[0],
            "address": address or DATATILSYNET[1],
        }
    if not kind:
        kind = "klageinstans" if name else ("ingen" if basis == "fvl" else "tilsyn")
    if kind == "tilsyn" and basis == "fvl":
        kind = "ingen"
    if kind == "ingen":
        return {"kind": "ingen", "name": "", "address": ""}
    if kind == "tilsyn" and not name:
        name, address = DEFAULT_APPEAL_BODY, address or ANKESTYRELSEN_ADDRESS
    return {"kind": kind, "name": name, "address": address}


def _klagevejledning(ctx: dict, basis: str) -> list[str]:
    """The klagevejledning (FVL § 25): where to complain (the appeal route), that the complaint goes to the
    municipality first, which reconsiders and forwards it within 7 working days (OFL § 37 stk. 2), and the
    appeal body's 20 working days (§ 37 stk. 3). GDPR: a complaint to Datatilsynet, directly (art. 77).
    FVL without an appeal body: no administrative complaint. No complaint deadline anywhere."""
    route = appeal_route(ctx, basis)
    body, how = route["name"], _complaint_to(ctx)
    if route["kind"] == "datatilsynet":
        where = f"{body}, {route['address']}" if route["address"] else body
        return [
            f"Du kan klage til {body} over vores behandling af dine personoplysninger, herunder over denne "
            "afgørelse (databeskyttelsesforordningens artikel 77). Klagen sender du direkte til "
            f"{where}. Du kan læse om, hvordan du klager, på datatilsynet.dk.",
            "Du kan også indbringe sagen for domstolene (databeskyttelsesforordningens artikel 79).",
        ]
    if route["kind"] == "ingen":
        return [
            "Der er ikke en klageinstans for den sag, din anmodning vedrører. Afgørelsen kan derfor ikke "
            "påklages til en anden myndighed. Du er velkommen til at kontakte os, hvis du mener, at "
            "afgørelsen er forkert; så vurderer vi den igen. " + how
        ]
    forward = (
        "Når vi modtager klagen, vurderer vi afgørelsen igen. Fastholder vi afgørelsen, sender vi klagen og "
        f"sagens dokumenter til {body} snarest og som udgangspunkt senest 7 arbejdsdage efter, at vi har "
        "modtaget klagen"
    )
    if basis == "fvl":
        return [
            p.strip()
            for p in (
                f"Du kan klage over afgørelsen til {body}, som er klageinstans for den sag, din anmodning "
                "vedrører.",
                f"Klagen skal sendes til os og ikke direkte til {body}. " + how,
                forward + ". Du får besked, når det sker.",
            )
        ]
    if route["kind"] == "tilsyn":
        return [
            p.strip()
            for p in (
                "Der er ikke en særlig klageinstans for den sag, din anmodning vedrører. Du kan derfor klage "
                f"over afgørelsen til {body}, der fører tilsyn med kommunerne (offentlighedslovens § 38, "
                "stk. 1).",
                f"Klagen skal sendes til os og ikke direkte til {body}. " + how,
                forward + " (offentlighedslovens § 37, stk. 2, og § 38). Du får besked, når det sker.",
            )
        ]
    return [
        p.strip()
        for p in (
            f"Du kan klage over afgørelsen til {body}, som er klageinstans for den sag, din anmodning "
            "vedrører (offentlighedslovens § 37, stk. 1).",
            f"Klagen skal sendes til os og ikke direkte til {body}. " + how,
            forward + " (offentlighedslovens § 37, stk. 2). Du får besked, når det sker.",
            f"{body} skal som udgangspunkt have færdigbehandlet klagen inden 20 arbejdsdage efter at have "
            "modtaget den (offentlighedslovens § 37, stk. 3).",
        )
    ]


def _outcome(ctx: dict, docs: list[dict]) -> str:
    if ctx.get("outcome"):
        return ctx["outcome"]
    if not docs:
        return "none_found"
    outcomes = {d.get("outcome") for d in docs}
    return "full" if outcomes == {"grant"} else "refusal" if outcomes == {"refuse"} else "partial"


def _decision_parts(ctx: dict, docs: list[dict], outcome: str) -> dict[str, Any]:
    basis = _basis(ctx)
    return {
        "aktliste": _aktliste(docs),
        "resultat": _outcome_sentence(outcome, docs, basis),
        "begrundelse": _reasoning(docs, basis, outcome),
        # A full grant needs no klagevejledning (FVL § 25), except under GDPR: art. 15(1)(f) and art. 77.
        "klagevejledning": [] if outcome == "full" and basis != "gdpr" else _klagevejledning(ctx, basis),
    }


# --- one composer per kind ---------------------------------------------------------------------------------


def _kvittering(ctx: dict, data: dict, basis: str) -> dict[str, Any]:
    """The acknowledgement: the handling rule of the basis and the expected date. The date is the case's
    decision deadline for its basis as stored (``deadlines["decision"]``: MOL and GDPR one month, OFL and
    FVL 7 working days; aktflow.case_deadlines computes it), or the date a fristbrev gave
    (``deadlines["expected"]``); never a date before the letter's own."""
    dates = ctx.get("deadlines") or {}
    today = as_date(ctx.get("today")) or dt.date.today()
    candidates = [d for d in (as_date(dates.get("expected")), as_date(dates.get("decision"))) if d]
    due = next((d for d in candidates if d >= today), None)
    if due is not None:
        forventet = f"Vi forventer at kunne træffe afgørelse senest den {danish_date(due)}."
    elif candidates:  # the request was received long ago: no date in the past is promised
        forventet = (
            "Vi træffer afgørelse hurtigst muligt og giver dig besked om, hvornår du kan forvente den."
        )
    else:
        forventet = ""
    return {"behandlingstid": _HANDLING_RULE[basis], "forventet": forventet}


def _praecisering(ctx: dict, data: dict, basis: str) -> dict[str, Any]:
    rule = ""
    if basis in ("ofl", "mol"):
        rule = (
            "En anmodning om aktindsigt skal angive de dokumenter eller den sag, du ønsker at se, og temaet "
            "for sagen eller dokumenterne (offentlighedslovens § 9)."
        )
    return {"praecisering": text(data.get("note")), "regel": rule}


_EXTENSION_RULE = {
    "mol": "Efter miljøoplysningslovens § 4, stk. 3, kan fristen for afgørelse forlænges fra 1 til 2 måneder "
    "efter, at vi modtog din anmodning, når anmodningens omfang og kompleksitet gør det nødvendigt. Vi "
    "forlænger derfor fristen.",
    "gdpr": "Efter databeskyttelsesforordningens artikel 12, stk. 3, kan fristen for at svare forlænges med 2 "
    "måneder, når anmodningens kompleksitet eller antallet af anmodninger gør det nødvendigt. Vi forlænger "
    "derfor fristen.",
}
# MOL and GDPR requests are handled under OFL as well (MOL § 2; OFL § 8 for one's own data): the OFL
# notice rule applies to a fristbrev in such a case.
_ALSO_OFL = (
    "Din anmodning behandles også efter offentlighedsloven. Efter offentlighedslovens § 36, stk. 2, skal vi "
    "give dig besked, når vi ikke kan træffe afgørelse inden 7 arbejdsdage efter, at vi modtog din anmodning."
)


def _fristbrev(ctx: dict, data: dict, basis: str) -> dict[str, Any]:
    """The fristbrev, two kinds.

    An extension (``extend_deadline``, MOL § 4 stk. 3 / GDPR art. 12(3); ``deadlines["extended"]`` holds the
    new date): says that the deadline is extended, to which date, why (the reason as recorded) and the rule.
    A notice (``send_deadline_notice``, OFL § 36 stk. 2 / FVL § 16 stk. 2): the reason and the expected
    date as recorded, and the rule; a MOL or GDPR case cites the OFL rule that applies to it too. Where
    OFL applies (OFL and MOL cases) the letter tells of the complaint about the time taken (OFL § 39).
    """
    dates = ctx.get("deadlines") or {}
    extended = danish_date(dates.get("extended"))
    # The tracked expected date (set by this very notice) first, the trigger's own field otherwise.
    expected = danish_date(dates.get("expected") or data.get("expected"))
    kind = "indsigt i dine personoplysninger" if basis == "gdpr" else "aktindsigt"
    if extended:
        title = f"Fristen for at behandle din anmodning om {kind} er forlænget"
        intro = (
            f"Fristen for at træffe afgørelse om din anmodning er forlænget til den {extended}. Det skyldes:"
        )
        forventet = f"Du får vores afgørelse senest den {extended}."
        rule = _EXTENSION_RULE.get(basis, _NOTICE_RULE[basis])
    else:
        title = f"Din anmodning om {kind} – hvornår du kan forvente en afgørelse"
        intro = "Vi kan desværre ikke træffe afgørelse så hurtigt, som vi plejer. Det skyldes:"
        if expected:
            forventet = f"Vi forventer at kunne træffe afgørelse senest den {expected}."
        else:
            forventet = "Vi giver dig besked om, hvornår du kan forvente en afgørelse, så snart vi kan."
        rule = _ALSO_OFL if basis in ("mol", "gdpr") else _NOTICE_RULE[basis]
    return {
        "overskrift": title,
        "indledning": intro,
        "grund": text(data.get("reason")),
        "forventet": forventet,
        "regel": rule,
        "klage_over_tid": _DELAY_COMPLAINT if basis in ("ofl", "mol") else "",
    }


_CONSIDERED = {
    "grant": "vi overvejer at udlevere dokumentet",
    "partial": "vi overvejer at udlevere dokumentet delvis",
    "refuse": "vi overvejer ikke at udlevere dokumentet",
}


def _hoering(ctx: dict, data: dict, basis: str) -> dict[str, Any]:
    """The third-party hearing: addressed to the party (name and address as recorded), names the documents
    it is about (``document_ids``) and what the municipality is considering releasing (each document's
    assessment so far, where one is recorded), asks the question and gives the reply date. The requester is
    not named. Without recorded documents the letter speaks of the request's documents in general."""
    by_id = {d.get("id"): d for d in ctx.get("documents") or []}
    docs = [by_id[i] for i in data.get("document_ids") or [] if i in by_id]
    reply_by = danish_date(data.get("reply_by"))
    subject = quoted((ctx.get("case") or {}).get("subject"))
    named = []
    for d in docs:
        considered = _CONSIDERED.get(d.get("outcome") or "")
        named.append(_doc_ref(d) + (f" – {considered}" if considered else ""))
    if docs:
        one = len(docs) == 1
        overvejer = (
            f"Vi overvejer at give aktindsigt i {'dokumentet' if one else 'dokumenterne'}, herunder i de "
            "oplysninger, der angår dig, medmindre oplysningerne er undtaget efter loven."
        )
    else:
        overvejer = (
            "Vi overvejer at give aktindsigt i de dokumenter, anmodningen omfatter, herunder i de oplysninger, "
            "der angår dig, medmindre oplysningerne er undtaget efter loven."
        )
    return {
        "modtager": _lines(data.get("party"), data.get("party_address")),
        "part": text(data.get("party")),
        "indledning": "Vi har modtaget en anmodning om aktindsigt. Anmodningen omfatter dokumenter med "
        "oplysninger, der angår dig." + (f" Anmodningen er registreret sådan: {subject}" if subject else ""),
        "overvejer": overvejer,
        "spoergsmaal": text(data.get("question")),
        "svarfrist": f"Vi beder om dit svar senest den {reply_by}. Hører vi ikke fra dig inden da, træffer vi "
        "afgørelse på det grundlag, vi har."
        if reply_by
        else "Vi beder om dit svar hurtigst muligt.",
        "dokumenter": named,
    }


def _underretning_ansat(ctx: dict, data: dict, basis: str) -> dict[str, Any]:
    released = []
    for d in ctx.get("documents") or []:
        if d.get("outcome") in ("grant", "partial"):
            released.append(_doc_ref(d) + (" – udleveret delvis" if d["outcome"] == "partial" else ""))
    case = ctx.get("case") or {}
    received, subject = danish_date(case.get("received")), text(case.get("subject"))
    who = text((case.get("requester") or {}).get("name")) or "en borger"
    asked = f"{who}{f' den {received}' if received else ''} har anmodet om aktindsigt{f' i {subject}' if subject else ''}"
    return {
        "orientering": f"Efter offentlighedslovens § 41 orienterer vi dig om, at {asked}. Anmodningen omfatter "
        "oplysninger om dit ansættelsesforhold.",
        "modtager": _lines(data.get("employee"), data.get("employee_address")),
        "ansat": text(data.get("employee")),
        "efter_afgoerelse": data.get("stage") == "release",
        "udleveret": released,
    }


def _delafgoerelse(ctx: dict, data: dict, basis: str) -> dict[str, Any]:
    docs = ctx.get("documents") or []
    wanted = data.get("released") or data.get("document_ids")  # what the partial decision releases
    now = (
        [d for d in docs if d.get("id") in wanted]
        if wanted
        else [d for d in docs if d.get("outcome") == "grant"]
    )
    outcome = "full" if all(d.get("outcome") == "grant" for d in now) else "partial"
    parts = _decision_parts(ctx, now, outcome)
    parts["resultat"] = f"Du får nu {'indsigt' if basis == 'gdpr' else 'aktindsigt'} i {_n(len(now))}. " + (
        "Dokumenterne er vedlagt." if len(now) != 1 else "Dokumentet er vedlagt."
    )
    earlier = data.get("released_before") or []  # released by earlier partial decisions
    rest = len([d for d in docs if d.get("id") not in earlier]) - len(now)
    expected = danish_date((ctx.get("deadlines") or {}).get("expected"))
    them = "det" if rest == 1 else "dem"
    later = f" Vi forventer at kunne træffe afgørelse om {them} senest den {expected}." if expected else ""
    which = "det sidste dokument" if rest == 1 else f"de øvrige {_n(rest)}"
    parts["resterende"] = (
        f"Vi arbejder videre med {which} og sender dig en afgørelse om {them} hurtigst muligt.{later}"
        if rest > 0
        else f"Vi sender dig en samlet afgørelse om din anmodning hurtigst muligt.{later}"
    )
    parts["bemaerkning"] = text(data.get("note"))
    return parts


# GDPR art. 15(1): the information a decision on a data subject's access carries, in the article's order;
# (key in ctx["art15"] or None for fixed text, the label, the fixed text).
_ART15 = (
    ("art15_purposes", "Formålene med behandlingen (artikel 15, stk. 1, litra a)", ""),
    ("art15_categories", "De kategorier af personoplysninger, vi behandler (litra b)", ""),
    ("art15_recipients", "Modtagere, som oplysningerne er eller vil blive videregivet til (litra c)", ""),
    ("art15_storage", "Hvor længe oplysningerne opbevares (litra d)", ""),
    (
        None,
        "Dine rettigheder (litra e)",
        "Du har ret til at anmode os om berigtigelse (artikel 16) eller sletning (artikel 17) af dine "
        "personoplysninger og om begrænsning af behandlingen (artikel 18), og du har ret til at gøre "
        "indsigelse mod behandlingen (artikel 21).",
    ),
    (None, "Klage (litra f)", "Du har ret til at klage til Datatilsynet; se klagevejledningen nedenfor."),
    ("art15_source", "Hvor oplysningerne stammer fra (litra g)", ""),
    ("art15_automated", "Automatiske afgørelser, herunder profilering (litra h)", ""),
    (
        "art15_transfers",
        "Overførsel til tredjelande eller internationale organisationer (artikel 15, stk. 2)",
        "",
    ),
)


def _art15(ctx: dict, basis: str, outcome: str) -> dict[str, Any]:
    """GDPR: a decision that gives access (full or partial) carries the art. 15(1)(a)-(h) information, and
    (2) where data are transferred, from ``ctx["art15"]`` (the decision's texts, else the municipality's;
    aktflow.case_letters.art15 checks that none is missing). A refusal carries the art. 12(4) information:
    that we do not act on the request, why (the reasoning) and the right to complain to Datatilsynet and
    go to court. Other bases: nothing."""
    if basis != "gdpr":
        return {"art15": [], "art12": ""}
    if outcome == "refusal":
        return {
            "art15": [],
            "art12": "Vi imødekommer ikke din anmodning om indsigt. Grundene fremgår af begrundelsen nedenfor. "
            "Du kan klage til Datatilsynet og indbringe sagen for domstolene (databeskyttelsesforordningens "
            "artikel 12, stk. 4).",
        }
    if outcome not in ("full", "partial"):
        return {"art15": [], "art12": ""}
    given = ctx.get("art15") or {}
    paras = [
        "Vi bekræfter, at vi behandler personoplysninger om dig. Du får en kopi af oplysningerne i de "
        "vedlagte dokumenter (databeskyttelsesforordningens artikel 15, stk. 1 og 3)."
    ]
    for key, label, fixed in _ART15:
        value = fixed if key is None else text(given.get(key))
        if value:
            paras.append(f"{label}: {value}")
    return {"art15": paras, "art12": ""}


def _afgoerelse(ctx: dict, data: dict, basis: str) -> dict[str, Any]:
    case = ctx.get("case") or {}
    docs = ctx.get("documents") or []
    understanding = text(case.get("understanding"))
    refusal = ctx.get("request_refusal")
    parts = (
        _request_refusal(ctx, refusal, basis) if refusal else _decision_parts(ctx, docs, _outcome(ctx, docs))
    )
    parts.update(_art15(ctx, basis, "refusal" if refusal else _outcome(ctx, docs)))
    parts["forstaaelse"] = f"Vi har forstået din anmodning sådan: {understanding}" if understanding else ""
    parts["retsgrundlag"] = _BASIS_SENTENCE[basis]
    # send_decision's note is how the request was understood: printed once, as the understanding.
    note = text(data.get("note"))
    parts["bemaerkning"] = "" if note == understanding else note
    return parts


def _videresendelse(ctx: dict, data: dict, basis: str) -> dict[str, Any]:
    return {
        "myndighed": text(data.get("authority")) or "rette myndighed",
        "bemaerkning": text(data.get("note")),
    }


def _klage_oversendelse(ctx: dict, data: dict, basis: str) -> dict[str, Any]:
    """A complaint the municipality upholds, forwarded to the appeal route's body (OFL § 37 stk. 2; where
    there is no sector body, Ankestyrelsen's supervision, § 38 stk. 1); a copy goes to the requester. A
    GDPR complaint or one without an appeal body is never forwarded (the guard
    ``complaint_may_be_forwarded``): composing one raises ValueError."""
    route = appeal_route(ctx, basis)
    if route["kind"] in ("datatilsynet", "ingen"):
        raise ValueError(
            f"a complaint in a {basis} case with appeal route {route['kind']!r} is not forwarded"
        )
    body = route["name"]
    received = danish_date(data.get("complaint_received"))
    case = ctx.get("case") or {}
    who = text((case.get("requester") or {}).get("name")) or "Anmoderen"
    subject = text(case.get("subject"))
    if basis == "fvl":
        rule = ""
    elif route["kind"] == "tilsyn":
        rule = (
            ". Der er ikke en særlig klageinstans for den sag, anmodningen vedrører, og vi sender derfor "
            "klagen til jer som tilsynsmyndighed (offentlighedslovens § 38, stk. 1)"
        )
    else:
        rule = (
            " (offentlighedslovens § 37, stk. 2). I er klageinstans for den sag, anmodningen vedrører "
            "(offentlighedslovens § 37, stk. 1)"
        )
    return {
        "modtager": _lines(body, route["address"]),
        "klageinstans": body,
        "klage": f"{who} har{f' den {received}' if received else ''} klaget over vores afgørelse om "
        f"aktindsigt{f' i {subject}' if subject else ''}.",
        "oversendelse": "Vi har genovervejet afgørelsen, men fastholder den. Vi sender derfor klagen og "
        f"sagens dokumenter til jer{rule}.",
        "udtalelse": text(data.get("note")),
        "kopi_til": text((case.get("requester") or {}).get("name")) or "anmoderen",
    }


def _klage_forsinkelse(ctx: dict, data: dict, basis: str) -> dict[str, Any]:
    """OFL § 39: a complaint about the time taken, forwarded to the appeal body with the reason for the
    delay (the same appeal body as ``klage_oversendelse``); a copy goes to the requester."""
    appeal = appeal_route(ctx, "ofl" if basis == "fvl" else basis)
    case = ctx.get("case") or {}
    who = text((case.get("requester") or {}).get("name")) or "Anmoderen"
    complained = danish_date(data.get("complaint_received"))
    received = danish_date(case.get("received"))
    expected = danish_date((ctx.get("deadlines") or {}).get("expected"))
    subject = text(case.get("subject"))
    return {
        "modtager": _lines(appeal.get("name"), appeal.get("address")),
        "klageinstans": appeal["name"],
        "klage": f"{who} har{f' den {complained}' if complained else ''} klaget over den tid, vi har brugt på "
        "at behandle en anmodning om aktindsigt (offentlighedslovens § 39). Klagen angår "
        "sagsbehandlingstiden, ikke en afgørelse: vi har endnu ikke truffet afgørelse i sagen.",
        "emne": f"Anmodningen angår {subject}." if subject else "",
        "modtaget": f"Vi modtog anmodningen den {received}." if received else "",
        "begrundelse": text(data.get("reason")),
        "forventet": f"Vi har i et brev til anmoderen oplyst, at vi forventer at træffe afgørelse senest den "
        f"{expected}."
        if expected
        else "Vi har endnu ikke oplyst anmoderen om, hvornår der kan forventes en afgørelse.",
        "bemaerkning": text(data.get("note")),
        "oversendelse": "Da vi ikke har truffet afgørelse i sagen, sender vi klagen til jer med vores "
        "begrundelse for sagsbehandlingstiden (offentlighedslovens § 39).",
        "kopi_til": text((case.get("requester") or {}).get("name")) or "anmoderen",
    }


_COMPOSERS = {
    "kvittering": _kvittering,
    "praecisering": _praecisering,
    "fristbrev": _fristbrev,
    "hoering": _hoering,
    "underretning_ansat": _underretning_ansat,
    "delafgoerelse": _delafgoerelse,
    "afgoerelse": _afgoerelse,
    "videresendelse": _videresendelse,
    "klage_oversendelse": _klage_oversendelse,
    "klage_forsinkelse": _klage_forsinkelse,
}


def check_kind(kind: str) -> None:
    if kind not in _COMPOSERS:
        raise ValueError(f"unknown letter kind {kind!r}; expected one of {', '.join(KINDS)}")


def compose(kind: str, ctx: dict) -> dict[str, Any]:
    """The template variables for a letter of this kind: Danish strings, lists and flags, ready to print.

    The keys are the same for every case of a kind (values are "" or [] when a part does not apply), so
    they are the variables an administrator's template may use.
    """
    check_kind(kind)
    values = _common(ctx)
    values.update(_COMPOSERS[kind](ctx, ctx.get("data") or {}, _basis(ctx)))
    return values


# --- a sample case for checks and previews ---------------------------------------------------------------


def sample_context(kind: str) -> dict[str, Any]:
    """A realistic case (partly granted OFL request) with the trigger data of this kind."""
    check_kind(kind)
    d = dt.date
    data = {
        "kvittering": {},
        "praecisering": {
            "note": "Oplys venligst, hvilken periode og hvilke ejendomme din anmodning omfatter."
        },
        "fristbrev": {
            "reason": "Sagen omfatter mange dokumenter, og vi skal høre en virksomhed, før vi kan træffe afgørelse.",
            "expected": d(2027, 1, 15),
        },
        "hoering": {
            "party": "Byg & Anlæg ApS",
            "party_address": "Industrivej 7\n1234 Eksempelby",
            "question": "Mener I, at tilbuddets prisbilag indeholder forretningshemmeligheder, og i så fald hvilke?",
            "reply_by": d(2027, 1, 8),
            "document_ids": [12],
        },
        "underretning_ansat": {
            "employee": "Mette Jensen",
            "employee_address": "Skovvej 3\n1234 Eksempelby",
            "stage": "request",
        },
        "delafgoerelse": {"note": "Du får de dokumenter, vi allerede har færdigbehandlet."},
        "afgoerelse": {"note": None},
        "videresendelse": {"authority": "Miljøstyrelsen"},
        "klage_oversendelse": {
            "note": "Kommunen fastholder, at prisbilaget indeholder forretningshemmeligheder.",
            "complaint_received": d(2027, 2, 1),
        },
        "klage_forsinkelse": {
            "reason": "Sagen omfatter over 300 dokumenter, og to virksomheder skal høres.",
            "complaint_received": d(2027, 1, 5),
        },
    }[kind]
    return {
        "today": d(2026, 12, 18),
        "municipality": {
            "name": "Eksempel Kommune",
            "address": "Rådhuspladsen 1, 1234 Eksempelby",
            "phone": "70 12 34 56",
            "email": "post@eksempel.dk",
            "web": "eksempel.dk",
            "logo_text": "EKSEMPEL KOMMUNE",
        },
        "appeal_body": {"name": "Byggeklageenheden", "address": "Nævnenes Hus, Toldboden 2, 8800 Viborg",
                        "kind": "klageinstans"},
        "case": {
            "id": 7,
            "sagsnummer": "15.17.12-A53-1-26",
            "received": d(2026, 12, 14),
            "basis": "ofl",
            "subject": "byggesagen om Strandvejen 4",
            "emne": "02.34.00",
            "understanding": "Du ønsker aktindsigt i alle dokumenter i byggesagen fra 2025 og 2026.",
            "requester": {"name": "Søren Ågård", "email": "soren@example.dk", "address": "Havnegade 2\n1234 Eksempelby"},
        },
        "caseworker": {"name": "Carla Sagsbehandler", "title": "Sagsbehandler"},
        "documents": [
            {"no": 1, "id": 10, "title": "Ansøgning om byggetilladelse", "date": d(2025, 3, 2),
             "sender": "Bygherre", "recipient": "Eksempel Kommune", "outcome": "grant", "grounds": [],
             "released_title": "Ansøgning om byggetilladelse", "released_sender": "Bygherre / Eksempel Kommune",
             "neutral": False, "extracted": False, "extraction_note": None, "meroffentlighed_note": None,
             "reason": None, "weighing_note": None},
            {"no": 2, "id": 11, "title": "Naboindsigelse", "date": d(2025, 4, 11), "sender": "Nabo",
             "recipient": "Eksempel Kommune", "outcome": "partial", "grounds": ["ofl-30-1"],
             "released_title": "Naboindsigelse", "released_sender": "Nabo / Eksempel Kommune", "neutral": False,
             "extracted": False, "extraction_note": None,
             "meroffentlighed_note": "Oplysningerne om naboens personlige forhold er af en sådan karakter, at "
             "de ikke bør udleveres.",
             "reason": "Oplysninger om naboens personlige forhold er overstreget.",
             "weighing_note": "Naboens interesse i at beskytte sine personlige forhold vejer tungere end "
             "interessen i at kende dem for at forstå byggesagen."},
            {"no": 3, "id": 12, "title": "Tilbud med prisbilag", "date": d(2025, 5, 20), "sender": "Byg & Anlæg ApS",
             "recipient": "Eksempel Kommune", "outcome": "refuse", "grounds": ["ofl-30-2"],
             "released_title": "Tilbud", "released_sender": "Byg & Anlæg ApS", "neutral": False,
             "extracted": False, "extraction_note": None,
             "meroffentlighed_note": "Hensynet til virksomhedens konkurrenceevne vejer tungest.",
             "reason": "Tilbuddet består af virksomhedens priser og kalkulationer.",
             "weighing_note": "Priserne kan bruges af konkurrenter i kommende udbud."},
            {"no": 4, "id": 13, "title": "Internt notat om sagens behandling", "date": d(2025, 6, 1),
             "sender": "Byggesagsafdelingen", "recipient": None, "outcome": "refuse", "grounds": ["ofl-23"],
             "released_title": "Internt notat", "released_sender": "Byggesagsafdelingen", "neutral": False,
             "extracted": True, "extraction_note": "Oplysningerne om byggeriets højde og placering.",
             "meroffentlighed_note": None, "reason": "Notatet er udarbejdet til forvaltningens eget brug.",
             "weighing_note": None},
            {"no": 5, "id": 14, "title": "Byggetilladelse", "date": d(2025, 7, 3), "sender": "Eksempel Kommune",
             "recipient": "Bygherre", "outcome": "grant", "grounds": [],
             "released_title": "Byggetilladelse", "released_sender": "Eksempel Kommune / Bygherre",
             "neutral": False, "extracted": False, "extraction_note": None, "meroffentlighed_note": None,
             "reason": None, "weighing_note": None},
        ],
        "outcome": "partial",
        "art15": {
            "art15_purposes": "Behandling af byggesager efter byggeloven.",
            "art15_categories": "Navn, adresse og oplysninger om din ejendom.",
            "art15_recipients": "Naboer, der høres i sagen, og Bygnings- og Boligregistret.",
            "art15_storage": "Sagen opbevares, så længe ejendommen findes, efter arkivlovgivningen.",
            "art15_source": "Fra dig og fra de naboer, der er hørt i sagen.",
            "art15_automated": "Vi træffer ikke afgørelser om dig alene på grundlag af automatisk behandling.",
            "art15_transfers": "",
        },
        "deadlines": {"decision": d(2026, 12, 23), "expected": d(2027, 1, 15)},
        "data": data,
    }  # fmt: skip
