"""Screening of Danish text for CPR numbers and sensitive categories (docs/domain.md §4, flagging).

Pure functions over strings: no database, no I/O. The patterns are compiled once at import.

CPR numbers
    ``ddmmyy-xxxx``, ``ddmmyyxxxx`` and ``ddmmyy xxxx`` (hyphen or a dash a word processor put in its
    place). The date must exist in the century the 7th digit gives (0-3: 1900s; 4 and 9: 2000s when
    yy <= 36, else 1900s; 5-8: 2000s when yy <= 57, else 1800s), so 29 February is checked against the
    right year. There is no modulus-11 check: numbers issued since 2007 need not pass it.

    A candidate is dropped when it is glued to more of a number or an identifier: a digit, letter or
    underscore right next to it; ``-``, ``.`` or ``/`` followed (or preceded) by a digit; a decimal comma
    after it; a four-digit group and a space before it (bank reg.nr. + kontonr., ``1234 1503901234``);
    for the spaced form, any digit group one space away. It is also dropped when a label right in front
    of it says what else it is (kontonr., reg.nr., tlf., EAN, CVR, P-nr., j.nr., sagsnr., fakturanr.,
    kr. ...) or ``kr.``/``DKK`` follows it. Phone numbers (8 digits), SBSYS numbers
    (``15.17.12-A53-36-26``), dates (``01-01-2020``) and amounts with separators never have the shape.

    Known limit, on the safe side: an *unlabelled* ten-digit number whose first six digits form a valid
    date (a bare account number, a P-number) is reported as a CPR number; that costs a look by legal, a
    missed CPR number costs a breach of confidentiality.

Sensitive categories
    Word patterns for GDPR art. 9 (health, ethnic origin, religion, union membership, sexual orientation,
    political opinion), art. 10 (criminal offences) and OFL § 30, nr. 1 (social problems), matched on
    word boundaries with Danish inflections and compounds. Harmless look-alikes are excluded where they
    are common in municipal documents: street names (``Sygehusvej``), "dommer"/"dommen"/"domsmand",
    "psykisk arbejdsmiljø", "medicinsk udstyr", "indlagt fjernvarme", "misbrug af offentlige midler",
    "anbragt ved indgangen", "straffespark", "straffelovens § 152", "sigtet mod", the first name
    "Kristen" and the surname "Kristensen" (only the lower-case word "kristen" counts).

Nothing returned by :func:`scan` or :func:`flag_reasons` ever holds the digits of a CPR number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

__all__ = [
    "CATEGORIES",
    "CPR_LABEL",
    "CPR_MASK",
    "Finding",
    "contains_cpr",
    "find_cprs",
    "find_sensitive",
    "is_cpr",
    "flag_reasons",
    "redact_cpr",
    "scan",
]

CPR_MASK = "XXXXXX-XXXX"
CPR_LABEL = "CPR-nummer"

# --- CPR numbers ---------------------------------------------------------------------------------------

_DASHES = "-\u2010\u2011\u2012\u2013"  # hyphen and the dashes word processors put in its place
_CPR_CANDIDATE = re.compile(rf"(?<!\d)(\d\d)(\d\d)(\d\d)([{_DASHES}]| )?(\d)\d\d\d(?!\d)")
_JOINERS = frozenset(_DASHES + "./")  # characters that glue digit groups into one number
# Labels that say a number is something else. Some stand alone ("kontonr.", "tlf.", "kr."); short or
# common words only count with "nr"/"nummer" after them ("j.nr.", "p-nr.", "sag nr.", "dok.nr.").
_LEFT_LABEL = re.compile(
    r"\b(?:"
    r"(?:konto\w*|tlf|telefon\w*|mobil\w*|fax|ean|gln|cvr|kr|dkk|beløb\w*|registreringsnummer|"
    r"(?:reg|j|sags|journal|kunde|faktura|ordre|bilags?|løbe|police)(?:nr|nummer))"
    r"(?:[\s.-]*(?:nr|nummer|no)\b)?"
    r"|(?:reg|se|p|j|sag|sags|dok|dokument|ref|journal|kunde|faktura|ordre|bilag|løbe|police)"
    r"[\s.-]*(?:nr|nummer|no)\b"
    r")[\s.:#-]*$",
    re.IGNORECASE,
)
_RIGHT_AMOUNT = re.compile(r"\s*(?:kr\b|kroner\b|dkk\b)", re.IGNORECASE)
_REG_GROUP_BEFORE = re.compile(r"(?:^|[^\w.,/\-])\d{4} $")
_DECIMAL_AFTER = re.compile(r",\d{1,2}(?!\d)")


def _birth_year(yy: int, seventh: int) -> int:
    """The year of birth a CPR number's yy and 7th digit give (CPR-kontorets century rules)."""
    if seventh <= 3:
        return 1900 + yy
    if seventh in (4, 9):
        return (2000 if yy <= 36 else 1900) + yy
    return (2000 if yy <= 57 else 1800) + yy


def _valid_date(dd: str, mm: str, yy: str, seventh: str) -> bool:
    try:
        date(_birth_year(int(yy), int(seventh)), int(mm), int(dd))
    except ValueError:
        return False
    return True


def is_cpr(digits: str) -> bool:
    """True when ``digits`` (ten digits, ddmmååxxxx) is a CPR number: the birth date exists in the century
    the seventh digit gives (CPR-kontoret's rules, as the scanner applies them). No modulus-11 check: CPR
    numbers issued since 2007 need not pass it."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    return _valid_date(digits[0:2], digits[2:4], digits[4:6], digits[6])


def _glued(text: str, start: int, end: int, spaced: bool) -> bool:
    """True when the digits at text[start:end] are part of a longer number or an identifier."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if (before and (before.isalnum() or before == "_")) or (after and (after.isalnum() or after == "_")):
        return True
    if before in _JOINERS and start >= 2 and text[start - 2].isdigit():
        return True
    if after in _JOINERS and end + 1 < len(text) and text[end + 1].isdigit():
        return True
    if after == "," and _DECIMAL_AFTER.match(text, end):
        return True
    if spaced:
        if before == " " and start >= 2 and text[start - 2].isdigit():
            return True
        if after == " " and end + 1 < len(text) and text[end + 1].isdigit():
            return True
    elif _REG_GROUP_BEFORE.search(text, max(0, start - 6), start):
        return True
    return bool(_LEFT_LABEL.search(text, max(0, start - 40), start) or _RIGHT_AMOUNT.match(text, end))


def find_cprs(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the CPR numbers in the text, in order."""
    spans: list[tuple[int, int]] = []
    for m in _CPR_CANDIDATE.finditer(text):
        dd, mm, yy, sep, seventh = m.groups()
        if _valid_date(dd, mm, yy, seventh) and not _glued(text, m.start(), m.end(), sep == " "):
            spans.append(m.span())
    return spans


def contains_cpr(text: str) -> bool:
    """True when the text holds at least one CPR number."""
    return bool(find_cprs(text))


def redact_cpr(text: str) -> str:
    """The text with every CPR number replaced by ``XXXXXX-XXXX``.

    Repeated until nothing is left: masking one number can free a neighbour that was held back only by
    the digits next to it (``0101901234 020290 1234``), and that neighbour is masked as well.
    """
    while spans := find_cprs(text):
        parts: list[str] = []
        pos = 0
        for start, end in spans:
            parts.append(text[pos:start])
            parts.append(CPR_MASK)
            pos = end
        parts.append(text[pos:])
        text = "".join(parts)
    return text


# --- Sensitive categories ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Category:
    code: str
    label: str
    ref: str
    pattern: re.Pattern[str]
    exact: re.Pattern[str] | None = None  # case-sensitive words (ones that are also names when capitalised)


def _words(*fragments: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """One pattern matching any fragment as whole words (fragments may carry their own lookarounds)."""
    return re.compile(r"\b(?:" + "|".join(f"(?:{f})" for f in fragments) + r")\b", flags)


# "Misbrug" of substances, not of money, powers, trust or data.
_MISBRUG = (
    r"\w*misbrug(?:er|ere|eren|erne|et|s\w*)?\b"
    r"(?!\s+af\s+(?:\w+\s+)?(?:midler|penge|stilling\w*|magt\w*|tillid\w*|data\w*|oplysning\w*|"
    r"ordning\w*|system\w*|adgang\w*|ressourcer|kort\w*|dankort\w*|position\w*|offentlige|kommunens))"
)

_HEALTH = _words(
    r"helbred\w*",
    r"\w*sygdom\w*",
    r"syg|sygt|syge",
    r"syge(?:meld|fravær|orlov|dagpenge|samtale|periode|forløb)\w*",
    r"diagnos\w*",
    r"psykiatri\w*|psykiater\w*|psykolog\w*|psykose\w*|psykotisk\w*",
    r"psykisk\w*\b(?!\s+arbejdsmiljø)",
    r"medicin\w*\b(?!\s+udstyr)",
    r"(?:gen)?indlagt\b(?!\s+(?:vand|varme|fjernvarme|el|gas|kloak|strøm|fiber|bredbånd)\b)",
    r"(?:gen)?indlæggelse\w*|hospitalsindlæg\w*",
    r"på\s+(?:hospitalet|sygehuset)",
    r"handicap(?:pet|pede|s)?|funktionsnedsættelse\w*",
    r"blind\b(?!\s+vinkel)|døv|døve|svagtseende|hørehæmmet",
    _MISBRUG,
    r"kræft\w*\b(?!\s+bekæmpelse)|cancer\w*",
    r"depression\w*|deprimeret",
    r"gravid\w*|graviditet\w*|abort\w*|fertilitet\w*",
    r"demens|dement\w*|sklerose|diabet\w*|sukkersyge|epilep\w*|adhd|autis\w*",
    r"skizofren\w*|bipolar\w*|angstlidelse\w*|angstanfald\w*|spiseforstyrrelse\w*|anoreksi\w*|bulimi\w*",
    r"selvmord\w*|selvskade\w*",
    r"hjerneskade\w*|hjerneblødning\w*|blodprop\w*|arbejdsskade\w*",
    r"læge(?:erklæring|attest|journal)\w*|patientjournal\w*|sundhedsoplysning\w*",
    r"hiv|aids",
    r"stress(?:ramt|sygemeld\w*|behandling\w*)|genoptræning\w*|terapi\w*",
)

_CRIMINAL = _words(
    r"straffe(?:t|de|sag\w*|attest\w*|dom\w*|ansvar\w*|register\w*|forfølgning\w*|retlig\w*)",
    r"strafbar\w*",
    r"\w*straf(?:fen)?",
    r"dømt\b(?!\s+ude)|idømt\w*|domfæld\w*",
    r"(?:betinget|ubetinget)\s+dom\w*|dom\s+for",
    r"sigtet\b(?!\s+(?:mod|på|efter|til)\b)|sigtelse\w*",
    r"tiltalt\s+for|tiltale\s+for|rejst\w*\s+tiltale|tiltalen|tiltalefrafald\w*",
    r"politianmeld\w*|anmeldt\s+til\s+politiet|anholdt|anholdelse\w*",
    r"fængsel\w*|fængslet|fængsling\w*|varetægt\w*|afsoning\w*|afsone\w*|fodlænke\w*",
    r"kriminel\w*|kriminalitet\w*|kriminalforsorg\w*",
    r"bødeforelæg\w*|børneattest\w*",
    r"voldtægt\w*|vold|voldsdom\w*|voldelig\w*|overfald\w*|tyveri\w*|indbrud\w*|hærværk\w*|underslæb\w*",
)

_SOCIAL = _words(
    r"anbringelse\w*\b(?!\s+af\s+(?:\w+\s+)?(?:midler|penge|kapital|\w*likviditet|obligation\w*|skilte?|"
    r"\w*midler)\b)",
    r"anbragt\s+(?:uden\s+for\s+hjemmet|i\s+(?:\w+\s+)?(?:pleje|familiepleje|plejefamilie|netværkspleje)\w*|"
    r"på\s+(?:et\s+|en\s+)?(?:opholdssted|døgninstitution|institution|børnehjem)\w*)",
    r"tvangsfjern\w*|plejefamilie\w*|familiepleje\w*|netværkspleje\w*|omsorgssvigt\w*",
    r"bekymringsunderretning\w*",
    r"underretning\w*\s+(?:om|vedr\.?|vedrørende)\s+(?:\w+\s+){0,2}?(?:barn\w*|børn\w*|mistrivsel|"
    r"bekymring\w*|omsorgssvigt\w*)",
    r"sociale?\s+problem\w*|socialt\s+udsat\w*",
    r"kontanthjælp\w*|uddannelseshjælp\w*|integrationsydelse\w*|selvforsørgelsesydelse\w*",
    r"hjemløs\w*",
    _MISBRUG,
    r"førtidspension\w*|fleksjob\w*|ressourceforløb\w*",
    r"børnesag\w*|forældremyndighed\w*|samværssag\w*|familiebehandling\w*",
    r"forebyggende\s+foranstaltning\w*",
)

_ETHNIC = _words(r"etnisk\w*", r"race|racemæssig\w*", r"hudfarve\w*", r"herkomst")

_RELIGION = _words(
    r"religion(?:en|er|erne|s(?!undervisning|lærer|fag|frihed)\w*)?|religiøs\w*",
    r"trosretning\w*|trossamfund\w*|trosbekendelse\w*|troende",
    r"muslim\w*|jød(?:e|er|erne|isk\w*)|katol(?:ik|sk)\w*|protestant\w*|hindu\w*|buddhis\w*|ateist\w*",
    r"filosofisk\w*\s+overbevisning\w*",
    r"jehovas\s+vidne\w*",
    r"(?:medlem|udmeldt|udmeldelse)\w*\s+af\s+folkekirken",
)
_RELIGION_EXACT = re.compile(r"\bkrist(?:en|ne|ent)\b")  # lower case only: "Kristen" is also a first name

_UNION = _words(
    r"fagforening\w*",
    r"fagligt?\s+medlemskab|faglig\s+organisation\w*|fagligt\s+organiseret",
    r"tillidsrepræsentant\w*",
    r"medlem\s+af\s+(?:3f|hk|foa|bupl|dlf|djøf|krifa|dansk\s+metal|dansk\s+sygeplejeråd|"
    r"danmarks\s+lærerforening|det\s+faglige\s+hus|fagbevægelsen)",
)

_SEXUAL = _words(
    r"seksuel(?:le)?\s+orientering",
    r"homoseksu\w*|biseksu\w*|heteroseksu\w*|lesbisk\w*|bøsse(?:r|rne|n)?",
    r"seksualitet\w*|sexliv\w*|seksualliv\w*|seksuelle\s+forhold",
    r"transkøn\w*|lgbt\w*",
)

_POLITICAL = _words(
    r"politisk(?:e)?\s+(?:overbevisning\w*|holdning\w*|ståsted|tilhørsforhold)",
    r"partimedlem\w*|partitilhørsforhold\w*|partipolitisk\s+tilhørsforhold",
    r"medlem\s+af\s+(?:socialdemokratiet|venstre|dansk\s+folkeparti|det\s+konservative\s+folkeparti|"
    r"de\s+konservative|(?:det\s+)?radikale\s+venstre|sf|socialistisk\s+folkeparti|enhedslisten|"
    r"liberal\s+alliance|alternativet|nye\s+borgerlige|moderaterne|danmarksdemokraterne|"
    r"kristendemokraterne|borgernes\s+parti|et\s+politisk\s+parti)",
)

_CATEGORY_LIST: tuple[_Category, ...] = (
    _Category("health", "helbredsoplysninger", "GDPR art. 9", _HEALTH),
    _Category("criminal", "strafbare forhold", "GDPR art. 10", _CRIMINAL),
    _Category("social", "sociale forhold", "OFL § 30, nr. 1", _SOCIAL),
    _Category("ethnic", "etnisk oprindelse", "GDPR art. 9", _ETHNIC),
    _Category("religion", "religiøs overbevisning", "GDPR art. 9", _RELIGION, _RELIGION_EXACT),
    _Category("union", "fagforeningsmæssigt tilhørsforhold", "GDPR art. 9", _UNION),
    _Category("sexual_orientation", "seksuelle forhold eller seksuel orientering", "GDPR art. 9", _SEXUAL),
    _Category("political", "politisk overbevisning", "GDPR art. 9", _POLITICAL),
)

#: Category code -> (Danish label, legal reference), in the order findings are reported.
CATEGORIES: dict[str, tuple[str, str]] = {c.code: (c.label, c.ref) for c in _CATEGORY_LIST}

_STREET_SUFFIXES = (
    "vej", "vejen", "gade", "gaden", "allé", "alle", "stræde", "strædet", "plads", "pladsen",
    "torv", "torvet", "boulevard", "sti", "stien",
)  # fmt: skip


def _is_street_name(text: str, start: int, end: int) -> bool:
    """True when the match ends inside a word that is a street name (``Sygehusvej``, ``Fagforeningsvej``)."""
    while end < len(text) and text[end].isalnum():
        end += 1
    words = re.findall(r"\w+", text[start:end])
    word = words[-1].lower() if words else ""
    return any(word.endswith(s) and len(word) > len(s) + 2 for s in _STREET_SUFFIXES)


def _category_spans(cat: _Category, text: str) -> Iterator[tuple[int, int]]:
    for pattern in (cat.pattern, cat.exact):
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            if not _is_street_name(text, m.start(), m.end()):
                yield m.span()


def find_sensitive(text: str) -> list[tuple[str, int, int]]:
    """(category code, start, end) of every sensitive-category match, ordered by position."""
    hits = [(cat.code, s, e) for cat in _CATEGORY_LIST for s, e in _category_spans(cat, text)]
    return sorted(hits, key=lambda h: (h[1], h[2], h[0]))


# --- Findings and flag reasons -------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One kind of sensitive content found in a text: ``"cpr"`` or a category code, with a Danish label."""

    kind: str
    label: str
    ref: str = ""


def scan(text: str) -> list[Finding]:
    """What the text holds, at most one finding per kind: CPR numbers first, then categories in order."""
    findings: list[Finding] = []
    if contains_cpr(text):
        findings.append(Finding("cpr", CPR_LABEL))
    for cat in _CATEGORY_LIST:
        if next(_category_spans(cat, text), None) is not None:
            findings.append(Finding(cat.code, cat.label, cat.ref))
    return findings


def flag_reasons(text: str, where: str) -> list[str]:
    """Danish flag reasons naming the place and the category, e.g. ``"Anmodningen: helbredsoplysninger (GDPR art. 9)"``.

    ``where`` names the place (``"Dokument 'Notat om borger'"``); a CPR number in it is masked, so a
    reason never carries one.
    """
    place = redact_cpr(where).strip()
    prefix = f"{place}: " if place else ""
    return [prefix + (f.label if not f.ref else f"{f.label} ({f.ref})") for f in scan(text)]
