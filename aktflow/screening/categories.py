"""Sensitive categories in Danish text: GDPR art. 9 and 10 and OFL § 30, nr. 1 (docs/domain.md §4, flagging).

Each category is matched by two things, both on word boundaries and without regard to case:

- hand-written patterns for the words that need context to be sensitive (``indlagt`` but not
  ``indlagt fjernvarme``, ``sigtet`` but not ``sigtet mod``, ``anbringelse`` but not of money), and
- a vocabulary: the word lists in ``aktflow/data/vocabularies/<category>*.txt`` (sources, licences and the
  syntax in ``SOURCES.md`` there), read on first use and compiled into one trie-shaped pattern per
  category (shared prefixes read once), so the cost does not grow with the number of words.

The text is lower-cased once and read in one pass of all categories' patterns together; on 5 MB of
ordinary municipal text :func:`aktflow.screening.scan` takes a few seconds (measured in
tests/unit/test_screening_categories.py).

Danish inflection and compounds: a vocabulary word matches with the usual noun and adjective endings
(``astma``/``astmaen``, ``leukæmi``/``leukæmien``); ``term*`` also takes whatever follows (``astmatiker``,
``kemoterapiforløb``), ``*term`` is the last part of a compound (``brystkræft``, ``tarmkræft``);
words taken from medical lists also match in their other usual forms (``bronkitis``/``bronkit``, ``psykoser``/``psykose``).

Harmless look-alikes are excluded where they are common in municipal documents: street names
(``Sygehusvej``, ``Fagforeningsvej``), "dommer"/"dommen"/"domsmand", "psykisk arbejdsmiljø", "medicinsk
udstyr", "indlagt fjernvarme", "misbrug af offentlige midler", "anbragt ved indgangen", "straffespark",
"straffelovens § 152", "sigtet mod", "Kræftens Bekæmpelse", "desinfektion", the sickness absence of a
workplace as a figure ("sygefraværet i afdelingen"), the first name "Kristen" and the surname "Kristensen"
(only the lower-case word "kristen" counts), and the words of the medical lists with an everyday second
meaning ("med skelen til", "hoste op med", "pest eller kolera"), which are left out of the vocabulary.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["CATEGORIES", "categories_in", "find_sensitive", "vocabulary"]


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

# Phrases that hold a category's word without being about a person (names of organisations, idioms).
_HARMLESS = {
    # protection against theft and burglary, not an offence
    "criminal": re.compile(r"\b(?:tyveri|indbruds?)(?:sikr|alarm|forsikr)\w*", re.IGNORECASE),
    "health": re.compile(
        r"\bkræftens\s+bekæmpelse\b|\bpsykisk\s+arbejdsmiljø\w*|\bdesinfektion\w*"
        # the sickness absence of a workplace as a figure, not of a person
        r"|\b(?:gennemsnitlige?\s+)?sygefravær\w*\s+(?:i|på|for)\s+(?:\w+\s+)?(?:kommunen|forvaltningen|"
        r"afdelingen|området|institutionen|skolen|\w+området|\w+afdelingen)\b"
        r"|\bgennemsnitlige?\s+sygefravær\w*",
        re.IGNORECASE,
    ),
}


@dataclass(frozen=True)
class _Category:
    code: str
    label: str
    ref: str
    pattern: re.Pattern[str]
    exact: re.Pattern[str] | None = None  # case-sensitive words (ones that are also names when capitalised)


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

# --- Vocabularies ----------------------------------------------------------------------------------------

# Danish noun and adjective endings a vocabulary word may carry: astma-en, leukæmi-en, psykose-r-ne ...
_ENDINGS = r"(?:e|en|ens|er|erne|ernes|ers|et|ets|es|s|ne|nes|r|rne|rnes|t)?"


def vocabulary(code: str) -> tuple[str, ...]:
    """The vocabulary terms of category ``code`` as written in its files (``<code>.txt`` and
    ``<code>.<source>.txt`` in ``aktflow/data/vocabularies/``), lower-cased, without comments or blanks,
    sorted and without duplicates. An unknown code gives an empty tuple."""
    return _vocabulary(code)


@cache
def _vocabulary(code: str) -> tuple[str, ...]:
    folder = resources.files("aktflow").joinpath("data", "vocabularies")
    terms: set[str] = set()
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".txt") and (name == f"{code}.txt" or name.startswith(f"{code}.")):
            for line in entry.read_text(encoding="utf-8").splitlines():
                term = " ".join(line.split()).lower()
                if term and not term.startswith("#"):
                    terms.add(term)
    return tuple(sorted(terms))


def _trie(words: Iterable[str]) -> str:
    """One regular expression matching exactly the given words, shaped as a trie (shared prefixes are
    read once); a space in a word matches any run of white space."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [
            ("\\s+" if ch == " " else re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return emit(root)


def _forms(word: str) -> set[str]:
    """The word and the other forms a medical word list and a caseworker write it in: "-itis" and "-it"
    (``bronkitis``, ``bronkit``), a plural in "-er"/"-ier" and its singular (``psykoser``, ``psykose``;
    ``leukæmier``, ``leukæmi``), an adjective in "-ske"/"-le" and its base (``seboroiske``, ``seboroisk``;
    ``gastrointestinale``, ``gastrointestinal``). Phrases are taken as written."""
    forms = {word}
    if " " in word:
        return forms
    if word.endswith("itis"):
        forms.add(word[:-2])
    elif word.endswith("it"):
        forms.add(word + "is")
    if word.endswith("ier") and len(word) >= 6:
        forms.add(word[:-2])
    if word.endswith("er") and len(word) >= 6:
        forms.add(word[:-1])
    if word.endswith("ske") or (word.endswith("le") and len(word) >= 8):
        forms.add(word[:-1])
    return forms


@cache
def _vocabulary_pattern(code: str) -> re.Pattern[str] | None:
    """The category's vocabulary compiled into one pattern, or None when it has no words."""
    kinds: dict[tuple[bool, bool], set[str]] = {}
    for term in _vocabulary(code):
        head, tail = term.startswith("*"), term.endswith("*")
        kinds.setdefault((head, tail), set()).update(_forms(term.strip("*")))
    parts = []
    for (head, tail), words in sorted(kinds.items()):
        before = r"\w+?" if head else ""
        after = r"\w*" if tail else _ENDINGS + r"\b"
        parts.append(rf"\b{before}(?:{_trie(words)}){after}")
    return re.compile("|".join(parts)) if parts else None  # matched against lower-cased text


# --- Matching --------------------------------------------------------------------------------------------
#
# The text is lower-cased once and every pattern is matched without re.IGNORECASE (several times faster
# in CPython's re). One pass of the union of all categories' patterns finds where something starts; only
# there is each category's own pattern asked. Ordinary text has few such places, so a text costs about one
# pass of one pattern, whatever the number of categories and words.

_STREET_SUFFIXES = (
    "vej", "vejen", "gade", "gaden", "allé", "alle", "stræde", "strædet", "plads", "pladsen",
    "torv", "torvet", "boulevard", "sti", "stien",
)  # fmt: skip

_BY_CODE = {c.code: c for c in _CATEGORY_LIST}


def _lower(text: str) -> str:
    """``text`` lower-cased with every offset kept (a character whose lower case is longer stays as is)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


@cache
def _category_patterns(code: str) -> tuple[re.Pattern[str], ...]:
    """The category's hand-written pattern and its vocabulary pattern, for lower-cased text."""
    cat = _BY_CODE[code]
    patterns = [re.compile(cat.pattern.pattern)]
    vocab = _vocabulary_pattern(code)
    if vocab is not None:
        patterns.append(vocab)
    return tuple(patterns)


@cache
def _union() -> re.Pattern[str]:
    """Every category's patterns in one, to find the places where something may start."""
    return re.compile(
        "|".join(f"(?:{p.pattern})" for c in _CATEGORY_LIST for p in _category_patterns(c.code))
    )


# --- Where a match may start -------------------------------------------------------------------------------
#
# Every pattern starts with \b, so a match starts at a word boundary, with a character the pattern allows
# first. The patterns are split into their top-level alternatives (a vocabulary's trie by its first
# letter) and each alternative's first characters are read from its parsed form. One search then tries,
# at each boundary, only the alternatives that can start with the letter there (grouped behind a
# lookahead per letter); the alternatives that start with any run of letters (``\w*sygdom``, compound
# tails) are searched without that run, anywhere, and a hit counts at the start of its word. The reading
# is conservative: what it does not know counts as "any character" and falls back on the union's search,
# so no place the union would find is skipped (tests/unit/test_screening_prefilter.py); on the benchmark's
# 50-page text it takes about a third of the union's time.

_ANY = "any"  # a first-character set holding this may start with any character (or match empty)
_WORDCHAR = "word"  # ... with any word character


def _first_chars(items: Iterable[tuple]) -> tuple[frozenset[str], bool]:  # type: ignore[type-arg,unused-ignore]
    """The characters a match of the parsed sequence ``items`` may start with, and whether it may be empty."""
    from re import _constants as sre  # type: ignore[attr-defined]

    found: set[str] = set()
    for op, av in items:
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # zero width: what follows decides (ignoring the assertion only widens the set)
        if op == sre.LITERAL:
            return frozenset(found | {chr(av)}), False
        if op == sre.IN:
            chars = set()
            for kind, value in av:
                if kind == sre.LITERAL:
                    chars.add(chr(value))
                elif kind == sre.CATEGORY and value == sre.CATEGORY_WORD:
                    chars.add(_WORDCHAR)
                else:
                    return frozenset({_ANY}), False
            return frozenset(found | chars), False
        if op == sre.SUBPATTERN and not av[1] and not av[2]:  # a group without flags of its own
            first, empty = _first_chars(av[3])
        elif op == sre.BRANCH:
            first, empty = frozenset(), False
            for alt in av[1]:
                f, e = _first_chars(alt)
                first, empty = first | f, empty or e
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            first, empty = _first_chars(av[2])
            empty = empty or av[0] == 0
        else:
            return frozenset({_ANY}), False
        found |= first
        if not empty:
            return frozenset(found), False
    return frozenset(found), True


def _top_level(source: str) -> list[str]:
    """``source`` split at its top-level ``|`` (outside groups and character classes)."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]" or source[i + 1 : i + 3] == "^]":
                i += 2 if source[i + 1] == "]" else 3
                continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    return parts


def _alternatives(code: str) -> list[str]:
    """The category's patterns as top-level alternatives, each a pattern of its own for lower-cased text."""
    out: list[str] = []
    hand = _BY_CODE[code].pattern.pattern
    head, tail = r"\b(?:", r")\b"
    body = hand[len(head) : -len(tail)] if hand.startswith(head) and hand.endswith(tail) else None
    if body is not None and all(_balanced(f) for f in _top_level(body)):
        out += [f"{head}{f}{tail}" for f in _top_level(body)]
    else:
        out.append(hand)
    kinds: dict[tuple[bool, bool], set[str]] = {}
    for term in _vocabulary(code):
        kinds.setdefault((term.startswith("*"), term.endswith("*")), set()).update(_forms(term.strip("*")))
    for (wild_head, wild_tail), words in sorted(kinds.items()):
        before = r"\w+?" if wild_head else ""
        after = r"\w*" if wild_tail else _ENDINGS + r"\b"
        by_first: dict[str, set[str]] = {}
        for word in words:
            by_first.setdefault("" if wild_head else word[0], set()).add(word)
        out += [rf"\b{before}(?:{_trie(group)}){after}" for _, group in sorted(by_first.items())]
    return out


def _balanced(fragment: str) -> bool:
    try:
        re.compile(fragment)
    except re.error:
        return False
    return True


@cache
def _starts() -> tuple[dict[str, tuple[str, ...]], tuple[str, ...], tuple[str, ...]]:
    """The alternatives by the literal first character they allow, those that may start with any word
    character, and those that may start with anything."""
    from re import _parser as sre_parse  # type: ignore[attr-defined]

    by_char: dict[str, list[str]] = {}
    word: list[str] = []
    anything: list[str] = []
    for cat in _CATEGORY_LIST:
        for alt in _alternatives(cat.code):
            first, empty = _first_chars(sre_parse.parse(alt))
            if empty or _ANY in first:
                anything.append(alt)
                continue
            if _WORDCHAR in first:
                word.append(alt)
            for ch in first - {_WORDCHAR}:
                by_char.setdefault(ch, []).append(alt)
    return {ch: tuple(alts) for ch, alts in by_char.items()}, tuple(word), tuple(anything)


_INFIX_HEADS = (r"\b(?:(?:\w*", r"\b\w+?", r"\b\w*")


def _infix(alt: str) -> str | None:
    r"""For an alternative that starts with any run of word characters (``\b\w*sygdom``, a vocabulary's
    compound tails ``\b\w+?(?:kræft|…)``): the rest of it, to be searched anywhere in a word; else None."""
    for head in _INFIX_HEADS:
        if alt.startswith(head):
            rest = ("(?:(?:" if head.endswith("(?:(?:\\w*") else "") + alt[len(head) :]
            return rest if _balanced(rest) else None
    return None


@cache
def _start_search() -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """Two patterns that find, between them, every place a category's pattern may match.

    The first is every alternative that starts with a known letter, grouped by that letter behind a
    lookahead (so at a boundary only one group is tried); the second is the alternatives that start with
    any run of word characters, without that run, searched anywhere (a hit is a candidate at the start of
    its word)."""
    by_char, word, _anything = _starts()
    infixes: list[str] = []
    other_word: list[str] = []
    for alt in word:
        rest = _infix(alt)
        (infixes if rest is not None else other_word).append(rest if rest is not None else alt)
    groups = []
    for ch in sorted(by_char):
        alts = list(by_char[ch]) + other_word
        groups.append(f"(?={re.escape(ch)})(?:" + "|".join(f"(?:{a})" for a in alts) + ")")
    if other_word:  # alternatives that may start with a word character no group has
        groups.append("(?:" + "|".join(f"(?:{a})" for a in other_word) + ")")
    dispatch = re.compile(r"\b(?:" + "|".join(groups) + ")")
    infix = re.compile("|".join(f"(?:{r})" for r in infixes)) if infixes else None
    return dispatch, infix


def _candidates(low: str) -> list[int]:
    """The offsets in ``low`` where some category's pattern may match, in order: every place
    :func:`_union` finds (and perhaps a few more, which the categories' own patterns then turn down)."""
    _by_char, _word, anything = _starts()
    found: set[int] = set()
    if anything:  # the analysis could not narrow them: fall back on the union's search
        search = _union().search
    else:
        dispatch, infix = _start_search()
        search = dispatch.search
        if infix is not None:
            pos = 0
            while (m := infix.search(low, pos)) is not None:
                x = m.start()
                while x > 0 and _IS_WORD.match(low, x - 1):
                    x -= 1
                found.add(x)
                pos = m.start() + 1
    pos = 0
    while (m := search(low, pos)) is not None:
        found.add(m.start())
        pos = m.start() + 1
    return sorted(found)


_IS_WORD = re.compile(r"\w")


def _is_street_name(text: str, start: int, end: int) -> bool:
    """True when the match ends inside a word that is a street name (``Sygehusvej``, ``Fagforeningsvej``)."""
    while end < len(text) and text[end].isalnum():
        end += 1
    words = re.findall(r"\w+", text[start:end])
    word = words[-1].lower() if words else ""
    return any(word.endswith(s) and len(word) > len(s) + 2 for s in _STREET_SUFFIXES)


class _Harmless:
    """The spans of a category's harmless phrases in one text, found on first need."""

    def __init__(self, pattern: re.Pattern[str], low: str) -> None:
        self._pattern, self._low = pattern, low
        self._starts: list[int] | None = None
        self._ends: list[int] = []

    def covers(self, start: int, end: int) -> bool:
        if self._starts is None:
            spans = [m.span() for m in self._pattern.finditer(self._low)]
            self._starts, self._ends = [s for s, _ in spans], [e for _, e in spans]
        i = bisect_right(self._starts, start) - 1
        return i >= 0 and self._ends[i] >= end


def _hits(text: str) -> list[tuple[str, int, int]]:
    """``(code, start, end)`` of every match, the longest of a category at each start, guards applied."""
    low = _lower(text)
    harmless = {code: _Harmless(p, low) for code, p in _HARMLESS.items()}
    hits: list[tuple[str, int, int]] = []
    for start in _candidates(low):
        for cat in _CATEGORY_LIST:
            ends = [mm.end() for p in _category_patterns(cat.code) if (mm := p.match(low, start)) is not None]
            if not ends or max(ends) == start:
                continue
            end = max(ends)
            if _is_street_name(text, start, end) or (
                cat.code in harmless and harmless[cat.code].covers(start, end)
            ):
                continue
            hits.append((cat.code, start, end))
    for cat in _CATEGORY_LIST:
        if cat.exact is not None:  # case-sensitive words, on the text as written
            hits += [(cat.code, *m.span()) for m in cat.exact.finditer(text)]
    return hits


def find_sensitive(text: str) -> list[tuple[str, int, int]]:
    """``(category code, start, end)`` of every sensitive-category match, ordered by position.

    Offsets are in ``text`` as given. Where a category's patterns match overlapping text, the longest
    match at each start is kept, and a match inside a longer one of the same category is left out
    (``"kræft"`` in ``"brystkræft"``).
    """
    hits: list[tuple[str, int, int]] = []
    last_end: dict[str, int] = {}
    for code, start, end in sorted(set(_hits(text)), key=lambda h: (h[1], -h[2], h[0])):
        if end <= last_end.get(code, -1):
            continue
        hits.append((code, start, end))
        last_end[code] = max(last_end.get(code, -1), end)
    return sorted(hits, key=lambda h: (h[1], h[2], h[0]))


def categories_in(text: str) -> list[str]:
    """The codes of the categories ``text`` holds, in the order of :data:`CATEGORIES`."""
    found = {code for code, _, _ in _hits(text)}
    return [cat.code for cat in _CATEGORY_LIST if cat.code in found]
