"""The grounds catalogue (docs/domain.md §2): what a refusal or redaction may cite, as plain data.

Each :class:`Ground` has a stable code (stored on assessments, so never rename one), the paragraph it
rests on, a Danish label for pickers and the aktliste, a standard Danish reasoning sentence for the
decision letter, the legal bases whose cases may cite it, and whether citing it flags the case for
legal review.

Choices, written down so the legal contact can check them:

* Only provisions a refusal can cite are grounds. OFL § 26 (internal documents that are *not*
  exempt), §§ 28-29 (extraction), § 14 (meroffentlighed), § 34 and FVL § 15 c (release the rest of
  the document) are duties, kept in :data:`DUTIES`.
* OFL § 21 is split: stk. 1 (ansættelse/forfremmelse), stk. 2 (other personnel cases, with the stk. 3
  and 4 information still released) and stk. 3, 2. pkt. (an employee's name withheld for the
  employee's safety; in force from 1 July 2024, as is "chikanøst" in § 9, stk. 2, nr. 2, and FVL § 9 a,
  stk. 2). § 27 and § 33 are split into their numbered items.
* MOL § 2, stk. 1, still points to the *1985* offentlighedslov (lov nr. 572 af 19. december 1985), so
  an environmental refusal must cite that law's paragraphs. A MOL case is also an OFL case (the most
  favourable rules win), so its decision may cite the 2013 OFL grounds beside the ``ofl85-*`` grounds,
  except § 9, stk. 2 (the 1985 law has no resource or harassment rule). MOL also makes every
  exception subject to weighing the public interest in disclosure, and the business-secrets exception
  does not cover emission data; the ``ofl85-*`` sentences say the weighing was done.
* FVL: only provisions whose current wording could be checked are included (§ 9 a, stk. 2, § 12,
  § 14, nr. 2 and 3, § 15, § 15 a, § 15 b). § 13 is a counter-exception, not a ground. § 15 b is split
  into private and public interests without item numbers.
* GDPR art. 15 requests are refused under databeskyttelsesloven § 22 (private or public interests)
  or art. 12, stk. 5 (manifestly unfounded or excessive requests), not under OFL.
* ``flags_legal`` is set on OFL § 30 (both items), § 35 and the whole FVL § 15 family, as docs/domain.md
  requires, and on their MOL and GDPR counterparts (1985 OFL § 12, stk. 1, and § 14; DBL § 22,
  stk. 1). A refusal to protect private matters or a duty of confidentiality goes to legal under
  every basis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .labels import BASIS_NAMES
from .states.case_rules import NARROWING_REQUIRED, REQUEST_GROUNDS
from .vocabulary import BASES

__all__ = [
    "BASES",
    "BASIS_NAMES",
    "DUTIES",
    "Ground",
    "all_grounds",
    "duty_text",
    "for_basis",
    "get",
    "validate",
    "REQUEST_GROUNDS",
    "NARROWING_REQUIRED",
    "BUSINESS_SECRECY",
    "is_environmental",
    "request_grounds",
]


@dataclass(frozen=True)
class Ground:
    """One exemption a refusal or redaction may cite."""

    code: str
    paragraph: str
    label: str
    reasoning: str
    bases: tuple[str, ...]
    flags_legal: bool = False

    def applies_to(self, basis: str) -> bool:
        """True when a case with this legal basis may cite the ground."""
        return basis in self.bases


_OFL = ("ofl", "mol")  # 2013 OFL grounds: OFL cases and MOL cases (which are OFL cases as well).
_OFL_ONLY = ("ofl",)
_FVL = ("fvl",)
_MOL = ("mol",)
_GDPR = ("gdpr",)
_MOL_JF = "miljøoplysningslovens § 2, stk. 1, jf. § {par} i lov nr. 572 af 19. december 1985 om offentlighed i forvaltningen"
_MOL_WEIGHED = "og offentlighedens interesse i at få oplysningerne udleveret er afvejet over for de hensyn, der taler for at undtage dem"


def _mol(par: str) -> str:
    # "jf. § 7 i lov ..." but "jf. § 10, nr. 4, i lov ...".
    return _MOL_JF.format(par=f"{par}," if "," in par else par)


_CATALOGUE: tuple[Ground, ...] = (
    # --- Offentlighedsloven (LBK nr. 145 af 24. februar 2020 med senere ændringer) ---
    Ground(
        "ofl-9-2-1",
        "OFL § 9, stk. 2, nr. 1",
        "Offentlighedslovens § 9, stk. 2, nr. 1 — uforholdsmæssigt ressourceforbrug",
        # What was done to narrow the request and the hours estimated are printed from the case's record
        # (letters.compose), never claimed here.
        "Anmodningen er afslået efter offentlighedslovens § 9, stk. 2, nr. 1, fordi behandlingen af den vil "
        "kræve et uforholdsmæssigt ressourceforbrug.",
        _OFL_ONLY,
    ),
    Ground(
        "ofl-9-2-2",
        "OFL § 9, stk. 2, nr. 2",
        "Offentlighedslovens § 9, stk. 2, nr. 2 — retsstridigt eller chikanøst formål",
        "Anmodningen er afslået efter offentlighedslovens § 9, stk. 2, nr. 2, fordi den må antages at tjene "
        "et retsstridigt eller chikanøst formål.",
        _OFL_ONLY,
    ),
    Ground(
        "ofl-19",
        "OFL § 19",
        "Offentlighedslovens § 19 — sager inden for strafferetsplejen",
        "Sagen er undtaget fra aktindsigt efter offentlighedslovens § 19, fordi den er en sag inden for "
        "strafferetsplejen.",
        _OFL,
    ),
    Ground(
        "ofl-20",
        "OFL § 20",
        "Offentlighedslovens § 20 — sager om lovgivning",
        "Sagen er undtaget fra aktindsigt efter offentlighedslovens § 20, fordi den er en sag om lovgivning, "
        "og lovforslaget endnu ikke er fremsat for Folketinget.",
        _OFL,
    ),
    Ground(
        "ofl-21-1",
        "OFL § 21, stk. 1",
        "Offentlighedslovens § 21, stk. 1 — sager om ansættelse eller forfremmelse",
        "Sagen er undtaget fra aktindsigt efter offentlighedslovens § 21, stk. 1, fordi den er en sag om "
        "ansættelse eller forfremmelse i det offentliges tjeneste.",
        _OFL,
    ),
    Ground(
        "ofl-21-2",
        "OFL § 21, stk. 2",
        "Offentlighedslovens § 21, stk. 2 — personalesager",
        "Sagen er undtaget fra aktindsigt efter offentlighedslovens § 21, stk. 2, fordi den er en sag om en "
        "enkeltpersons ansættelsesforhold i det offentliges tjeneste; du får dog aktindsigt i de oplysninger, "
        "der er nævnt i § 21, stk. 3 og 4, i det omfang sagen indeholder dem.",
        _OFL,
    ),
    Ground(
        "ofl-21-3",
        "OFL § 21, stk. 3, 2. pkt.",
        "Offentlighedslovens § 21, stk. 3, 2. pkt. — den ansattes navn af hensyn til den ansattes tryghed",
        "Den ansattes navn er undtaget efter offentlighedslovens § 21, stk. 3, 2. pkt., fordi væsentlige "
        "hensyn til den ansattes tryghed taler imod, at navnet udleveres.",
        _OFL,
    ),
    Ground(
        "ofl-22",
        "OFL § 22",
        "Offentlighedslovens § 22 — kalendere",
        "Sagen er undtaget fra aktindsigt efter offentlighedslovens § 22, fordi den er en sag om førelse af "
        "en kalender.",
        _OFL,
    ),
    Ground(
        "ofl-23",
        "OFL § 23, stk. 1, nr. 1",
        "Offentlighedslovens § 23, stk. 1, nr. 1 — interne dokumenter",
        "Dokumentet er undtaget efter offentlighedslovens § 23, stk. 1, nr. 1, fordi det er et internt "
        "dokument, som ikke er afgivet til udenforstående.",
        _OFL,
    ),
    Ground(
        "ofl-24",
        "OFL § 24, stk. 1",
        "Offentlighedslovens § 24, stk. 1 — ministerbetjening",
        "Dokumentet er undtaget efter offentlighedslovens § 24, stk. 1, fordi det er udvekslet på et "
        "tidspunkt, hvor der var konkret grund til at antage, at en minister havde eller ville få behov for "
        "embedsværkets rådgivning og bistand.",
        _OFL,
    ),
    Ground(
        "ofl-25",
        "OFL § 25",
        "Offentlighedslovens § 25 — dokumenter udvekslet mellem KL, Danske Regioner og deres medlemmer",
        "Dokumentet er undtaget efter offentlighedslovens § 25, fordi det er udvekslet mellem KL eller "
        "Danske Regioner og deres medlemmer i forbindelse med økonomiske eller politiske forhandlinger med "
        "staten eller drøftelser om fælles kommunale og regionale politiske initiativer.",
        _OFL,
    ),
    Ground(
        "ofl-27-1",
        "OFL § 27, nr. 1",
        "Offentlighedslovens § 27, nr. 1 — statsrådsprotokoller",
        "Dokumentet er undtaget efter offentlighedslovens § 27, nr. 1, fordi det er en statsrådsprotokol.",
        _OFL,
    ),
    Ground(
        "ofl-27-2",
        "OFL § 27, nr. 2",
        "Offentlighedslovens § 27, nr. 2 — dokumenter mellem ministre og folketingsmedlemmer",
        "Dokumentet er undtaget efter offentlighedslovens § 27, nr. 2, fordi det er udarbejdet og udvekslet "
        "mellem ministre og folketingsmedlemmer i forbindelse med en sag om lovgivning eller en tilsvarende "
        "politisk proces.",
        _OFL,
    ),
    Ground(
        "ofl-27-3",
        "OFL § 27, nr. 3",
        "Offentlighedslovens § 27, nr. 3 — sekretariatsopgaver for en anden myndighed",
        "Dokumentet er undtaget efter offentlighedslovens § 27, nr. 3, fordi det er udvekslet i forbindelse "
        "med, at en myndighed udfører sekretariatsopgaver for en anden myndighed.",
        _OFL,
    ),
    Ground(
        "ofl-27-4",
        "OFL § 27, nr. 4",
        "Offentlighedslovens § 27, nr. 4 — brevveksling med sagkyndige om retssager",
        "Dokumentet er undtaget efter offentlighedslovens § 27, nr. 4, fordi det er brevveksling med "
        "sagkyndige til brug i en retssag eller ved overvejelse af, om en retssag bør føres.",
        _OFL,
    ),
    Ground(
        "ofl-27-5",
        "OFL § 27, nr. 5",
        "Offentlighedslovens § 27, nr. 5 — materiale til statistik eller videnskabelige undersøgelser",
        "Dokumentet er undtaget efter offentlighedslovens § 27, nr. 5, fordi det er materiale, der er "
        "tilvejebragt som grundlag for offentlig statistik eller videnskabelige undersøgelser.",
        _OFL,
    ),
    Ground(
        "ofl-30-1",
        "OFL § 30, nr. 1",
        "Offentlighedslovens § 30, nr. 1 — private forhold",
        "Oplysningerne er undtaget efter offentlighedslovens § 30, nr. 1, fordi de angår enkeltpersoners "
        "private, herunder økonomiske, forhold.",
        _OFL,
        flags_legal=True,
    ),
    Ground(
        "ofl-30-2",
        "OFL § 30, nr. 2",
        "Offentlighedslovens § 30, nr. 2 — drifts- og forretningsforhold",
        "Oplysningerne er undtaget efter offentlighedslovens § 30, nr. 2, fordi de angår tekniske "
        "indretninger eller fremgangsmåder eller drifts- eller forretningsforhold, og det er af væsentlig "
        "økonomisk betydning for den person eller virksomhed, oplysningerne angår, at de ikke udleveres.",
        _OFL,
        flags_legal=True,
    ),
    Ground(
        "ofl-31",
        "OFL § 31",
        "Offentlighedslovens § 31 — statens sikkerhed og rigets forsvar",
        "Oplysningerne er undtaget efter offentlighedslovens § 31, fordi det er af væsentlig betydning for "
        "statens sikkerhed eller rigets forsvar.",
        _OFL,
    ),
    Ground(
        "ofl-32",
        "OFL § 32",
        "Offentlighedslovens § 32 — rigets udenrigspolitiske interesser",
        "Oplysningerne er undtaget efter offentlighedslovens § 32, fordi det er nødvendigt af hensyn til "
        "rigets udenrigspolitiske interesser, herunder forholdet til andre lande eller internationale "
        "organisationer.",
        _OFL,
    ),
    Ground(
        "ofl-33-1",
        "OFL § 33, nr. 1",
        "Offentlighedslovens § 33, nr. 1 — forebyggelse, efterforskning og forfølgning af lovovertrædelser",
        "Oplysningerne er undtaget efter offentlighedslovens § 33, nr. 1, fordi det er nødvendigt for at "
        "beskytte væsentlige hensyn til forebyggelse, efterforskning og forfølgning af lovovertrædelser, "
        "straffuldbyrdelse og lignende eller til beskyttelse af sigtede, vidner eller andre i sager om "
        "strafferetlig eller disciplinær forfølgning.",
        _OFL,
    ),
    Ground(
        "ofl-33-2",
        "OFL § 33, nr. 2",
        "Offentlighedslovens § 33, nr. 2 — offentlig kontrol, regulering og planlægning",
        "Oplysningerne er undtaget efter offentlighedslovens § 33, nr. 2, fordi det er nødvendigt for at "
        "beskytte væsentlige hensyn til gennemførelsen af offentlig kontrol-, regulerings- eller "
        "planlægningsvirksomhed eller af påtænkte foranstaltninger efter skatte- og afgiftslovgivningen.",
        _OFL,
    ),
    Ground(
        "ofl-33-3",
        "OFL § 33, nr. 3",
        "Offentlighedslovens § 33, nr. 3 — det offentliges økonomiske interesser",
        "Oplysningerne er undtaget efter offentlighedslovens § 33, nr. 3, fordi det er nødvendigt for at "
        "beskytte væsentlige hensyn til det offentliges økonomiske interesser, herunder udførelsen af det "
        "offentliges forretningsvirksomhed.",
        _OFL,
    ),
    Ground(
        "ofl-33-4",
        "OFL § 33, nr. 4",
        "Offentlighedslovens § 33, nr. 4 — forskeres og kunstneres idéer og foreløbige resultater",
        "Oplysningerne er undtaget efter offentlighedslovens § 33, nr. 4, fordi det er nødvendigt for at "
        "beskytte væsentlige hensyn til forskeres og kunstneres originale idéer samt foreløbige "
        "forskningsresultater og manuskripter.",
        _OFL,
    ),
    Ground(
        "ofl-33-5",
        "OFL § 33, nr. 5",
        "Offentlighedslovens § 33, nr. 5 — hemmeligholdelse efter forholdets særlige karakter",
        "Oplysningerne er undtaget efter offentlighedslovens § 33, nr. 5, fordi hemmeligholdelse efter "
        "forholdets særlige karakter er påkrævet for at beskytte væsentlige private eller offentlige "
        "interesser.",
        _OFL,
    ),
    Ground(
        "ofl-35",
        "OFL § 35",
        "Offentlighedslovens § 35 — særlig tavshedspligt",
        "Oplysningerne er undtaget efter offentlighedslovens § 35, fordi de er omfattet af en særlig "
        "bestemmelse om tavshedspligt, der er fastsat ved lov eller med hjemmel i lov.",
        _OFL,
        flags_legal=True,
    ),
    # --- Forvaltningsloven (partsaktindsigt) ---
    Ground(
        "fvl-9a-2",
        "FVL § 9 a, stk. 2",
        "Forvaltningslovens § 9 a, stk. 2 — retsstridigt formål",
        "Anmodningen er afslået efter forvaltningslovens § 9 a, stk. 2, fordi den må antages at skulle tjene "
        "et retsstridigt formål eller lignende.",
        _FVL,
    ),
    Ground(
        "fvl-12",
        "FVL § 12",
        "Forvaltningslovens § 12 — interne dokumenter",
        "Dokumentet er undtaget efter forvaltningslovens § 12, fordi det er et internt dokument, som ikke er "
        "afgivet til udenforstående.",
        _FVL,
    ),
    Ground(
        "fvl-14-2",
        "FVL § 14, nr. 2",
        "Forvaltningslovens § 14, nr. 2 — sekretariatsopgaver for en anden myndighed",
        "Dokumentet er undtaget efter forvaltningslovens § 14, nr. 2, fordi det er udvekslet i forbindelse "
        "med, at en myndighed udfører sekretariatsopgaver for en anden myndighed.",
        _FVL,
    ),
    Ground(
        "fvl-14-3",
        "FVL § 14, nr. 3",
        "Forvaltningslovens § 14, nr. 3 — brevveksling med sagkyndige om retssager",
        "Dokumentet er undtaget efter forvaltningslovens § 14, nr. 3, fordi det er brevveksling med "
        "sagkyndige til brug i en retssag eller ved overvejelse af, om en retssag bør føres.",
        _FVL,
    ),
    Ground(
        "fvl-15",
        "FVL § 15",
        "Forvaltningslovens § 15 — statens sikkerhed og rigets forsvar",
        "Oplysningerne er undtaget efter forvaltningslovens § 15, fordi afgørende hensyn til statens "
        "sikkerhed eller rigets forsvar taler imod at udlevere dem, og din interesse i at kende dem for at "
        "varetage dine interesser ikke findes at veje tungere.",
        _FVL,
        flags_legal=True,
    ),
    Ground(
        "fvl-15a",
        "FVL § 15 a",
        "Forvaltningslovens § 15 a — rigets udenrigspolitiske interesser",
        "Oplysningerne er undtaget efter forvaltningslovens § 15 a, fordi afgørende hensyn til rigets "
        "udenrigspolitiske interesser taler imod at udlevere dem.",
        _FVL,
        flags_legal=True,
    ),
    Ground(
        "fvl-15b-private",
        "FVL § 15 b",
        "Forvaltningslovens § 15 b — private interesser",
        "Oplysningerne er undtaget efter forvaltningslovens § 15 b, fordi din interesse i at kende dem efter "
        "en konkret afvejning må vige for afgørende hensyn til private interesser.",
        _FVL,
        flags_legal=True,
    ),
    Ground(
        "fvl-15b-public",
        "FVL § 15 b",
        "Forvaltningslovens § 15 b — offentlige interesser",
        "Oplysningerne er undtaget efter forvaltningslovens § 15 b, fordi din interesse i at kende dem efter "
        "en konkret afvejning må vige for afgørende hensyn til offentlige interesser.",
        _FVL,
        flags_legal=True,
    ),
    # --- Miljøoplysningsloven § 2, stk. 1, jf. offentlighedsloven fra 1985 ---
    Ground(
        "ofl85-7",
        "MOL § 2, stk. 1, jf. OFL (1985) § 7",
        "Miljøoplysningsloven, jf. 1985-offentlighedslovens § 7 — interne arbejdsdokumenter",
        f"Dokumentet er undtaget efter {_mol('7')}, fordi det er et internt arbejdsdokument, {_MOL_WEIGHED}.",
        _MOL,
    ),
    Ground(
        "ofl85-10-4",
        "MOL § 2, stk. 1, jf. OFL (1985) § 10, nr. 4",
        "Miljøoplysningsloven, jf. 1985-offentlighedslovens § 10, nr. 4 — brevveksling med sagkyndige",
        f"Dokumentet er undtaget efter {_mol('10, nr. 4')}, fordi det er brevveksling med sagkyndige til brug "
        f"i en retssag eller ved overvejelse af, om en retssag bør føres, {_MOL_WEIGHED}.",
        _MOL,
    ),
    Ground(
        "ofl85-12-1-1",
        "MOL § 2, stk. 1, jf. OFL (1985) § 12, stk. 1, nr. 1",
        "Miljøoplysningsloven, jf. 1985-offentlighedslovens § 12, stk. 1, nr. 1 — private forhold",
        f"Oplysningerne er undtaget efter {_mol('12, stk. 1, nr. 1')}, fordi de angår enkeltpersoners private, "
        f"herunder økonomiske, forhold, {_MOL_WEIGHED}.",
        _MOL,
        flags_legal=True,
    ),
    Ground(
        "ofl85-12-1-2",
        "MOL § 2, stk. 1, jf. OFL (1985) § 12, stk. 1, nr. 2",
        "Miljøoplysningsloven, jf. 1985-offentlighedslovens § 12, stk. 1, nr. 2 — drifts- og forretningsforhold",
        f"Oplysningerne er undtaget efter {_mol('12, stk. 1, nr. 2')}, fordi de angår drifts- eller "
        "forretningsforhold, og det er af væsentlig økonomisk betydning for den person eller virksomhed, "
        f"oplysningerne angår, at de ikke udleveres, {_MOL_WEIGHED}.",
        _MOL,
        flags_legal=True,
    ),
    Ground(
        "ofl85-13",
        "MOL § 2, stk. 1, jf. OFL (1985) § 13, stk. 1",
        "Miljøoplysningsloven, jf. 1985-offentlighedslovens § 13, stk. 1 — offentlige interesser",
        f"Oplysningerne er undtaget efter {_mol('13, stk. 1')}, fordi det er nødvendigt for at beskytte "
        f"væsentlige offentlige interesser, {_MOL_WEIGHED}.",
        _MOL,
    ),
    Ground(
        "ofl85-14",
        "MOL § 2, stk. 1, jf. OFL (1985) § 14",
        "Miljøoplysningsloven, jf. 1985-offentlighedslovens § 14 — særlig tavshedspligt",
        f"Oplysningerne er undtaget efter {_mol('14')}, fordi de er omfattet af en særlig bestemmelse om "
        f"tavshedspligt, der er fastsat ved lov eller med hjemmel i lov, {_MOL_WEIGHED}.",
        _MOL,
        flags_legal=True,
    ),
    # --- Databeskyttelsesforordningen art. 15 og databeskyttelsesloven ---
    Ground(
        "dbl-22-1",
        "DBL § 22, stk. 1",
        "Databeskyttelseslovens § 22, stk. 1 — afgørende hensyn til private interesser",
        "Oplysningerne er undtaget fra din ret til indsigt efter databeskyttelseslovens § 22, stk. 1, fordi "
        "din interesse i at kende dem efter en konkret afvejning må vige for afgørende hensyn til private "
        "interesser.",
        _GDPR,
        flags_legal=True,
    ),
    Ground(
        "dbl-22-2",
        "DBL § 22, stk. 2",
        "Databeskyttelseslovens § 22, stk. 2 — afgørende hensyn til offentlige interesser",
        "Oplysningerne er undtaget fra din ret til indsigt efter databeskyttelseslovens § 22, stk. 2, fordi "
        "din interesse i at kende dem efter en konkret afvejning må vige for afgørende hensyn til offentlige "
        "interesser.",
        _GDPR,
    ),
    Ground(
        "gdpr-12-5",
        "GDPR art. 12, stk. 5",
        "Databeskyttelsesforordningens artikel 12, stk. 5 — åbenbart grundløs eller overdreven anmodning",
        "Anmodningen er afvist efter databeskyttelsesforordningens artikel 12, stk. 5, fordi den er åbenbart "
        "grundløs eller overdreven.",
        _GDPR,
    ),
)

_BY_CODE: dict[str, Ground] = {g.code: g for g in _CATALOGUE}
if len(_BY_CODE) != len(_CATALOGUE):  # pragma: no cover - guards future edits of the table above
    raise RuntimeError("grounds: duplicate ground code in the catalogue")

#: Standard sentences for the duties that sit beside the grounds (OFL wording; see :func:`duty_text`).
DUTIES: dict[str, str] = {
    "extraction": (
        "Der er foretaget ekstrahering af faktiske oplysninger og faglige vurderinger, i det omfang "
        "dokumenterne indeholder oplysninger omfattet af offentlighedslovens §§ 28 og 29, og de ekstraherede "
        "oplysninger er udleveret."
    ),
    "meroffentlighed": (
        "Vi har overvejet, om der kan gives aktindsigt i videre omfang efter reglen om meroffentlighed i "
        "offentlighedslovens § 14, men vi har ikke fundet grundlag for det."
    ),
    "partial": (
        "Dokumentets øvrige indhold er udleveret, fordi undtagelsen kun gælder en del af dokumentet, jf. "
        "offentlighedslovens § 34."
    ),
    "extraction_fvl": (
        "Der er foretaget ekstrahering af oplysninger om sagens faktiske grundlag og eksterne faglige "
        "vurderinger, i det omfang dokumenterne indeholder sådanne oplysninger, jf. forvaltningslovens § 14 a, "
        "og de ekstraherede oplysninger er udleveret."
    ),
    "partial_fvl": (
        "Dokumentets øvrige indhold er udleveret, fordi undtagelsen kun gælder en del af dokumentet, jf. "
        "forvaltningslovens § 15 c."
    ),
}

_DUTY_KEYS = {
    ("extraction", "ofl"): "extraction",
    ("meroffentlighed", "ofl"): "meroffentlighed",
    ("partial", "ofl"): "partial",
    ("extraction", "fvl"): "extraction_fvl",
    ("partial", "fvl"): "partial_fvl",
}


def get(code: str) -> Ground:
    """The ground with this code; KeyError naming the code when there is none."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown ground code {code!r}; see aktflow.grounds.all_grounds()") from None


def all_grounds() -> list[Ground]:
    """Every ground, in catalogue order (OFL, FVL, MOL, GDPR)."""
    return list(_CATALOGUE)


def for_basis(basis: str) -> list[Ground]:
    """The grounds a case with this legal basis may cite, in catalogue order."""
    if basis not in BASES:
        raise ValueError(f"unknown legal basis {basis!r}; expected one of {', '.join(BASES)}")
    return [g for g in _CATALOGUE if basis in g.bases]


def validate(codes: Iterable[str], basis: str) -> list[str]:
    """Danish error messages for unknown codes or codes not valid for the basis; empty when all is well."""
    if basis not in BASES:
        return [f"Ukendt retsgrundlag: {basis!r}."]
    errors: list[str] = []
    for code in codes:
        ground = _BY_CODE.get(code)
        if ground is None:
            errors.append(f"Ukendt undtagelsesgrund: {code!r}.")
        elif basis not in ground.bases:
            errors.append(
                f"Undtagelsesgrunden {code!r} ({ground.label}) kan ikke anvendes i en sag efter "
                f"{BASIS_NAMES[basis]}."
            )
    return errors


def duty_text(duty: str, basis: str = "ofl") -> str:
    """The standard sentence for a side duty (extraction, meroffentlighed, partial) under a legal basis."""
    # A MOL case is an OFL case as well, so the OFL duties apply to it.
    key = _DUTY_KEYS.get((duty, "ofl" if basis == "mol" else basis))
    if key is None:
        raise KeyError(f"no standard sentence for duty {duty!r} under basis {basis!r}")
    return DUTIES[key]


# --- refusals of the whole request ----------------------------------------------------------------------

# REQUEST_GROUNDS and NARROWING_REQUIRED live with the workflow's rules (aktflow/states/case_rules.py),
# which may not import this catalogue; they are re-exported here.

#: Business-secrecy grounds: not for information about emissions into the environment (MOL § 2, stk. 5,
#: with article 4(2) of directive 2003/4/EF); in a MOL case the 2013 OFL § 30, nr. 2, is refused likewise.
BUSINESS_SECRECY: frozenset[str] = frozenset({"ofl85-12-1-2", "ofl-30-2"})


def request_grounds(basis: str) -> list[Ground]:
    """The grounds that refuse a whole request under this legal basis, in catalogue order."""
    return [g for g in for_basis(basis) if g.code in REQUEST_GROUNDS]


def is_environmental(code: str) -> bool:
    """True for a ground the environmental rules allow (MOL § 2, stk. 1, jf. the 1985 OFL): the grounds
    only MOL cases cite. A document withheld in a MOL case must cite at least one of them."""
    ground = _BY_CODE.get(code)
    return ground is not None and ground.bases == _MOL


# --- what a ground asks of the reasoning (docs/domain.md, "Reasoning and recorded decisions") ----------

#: Grounds whose exemption rests on a discretionary weighing (FVL § 24, stk. 1, 2. pkt.: the main
#: considerations are stated): OFL § 30 (is the interest "væsentlig"?), § 33 ("nødvendigt"), § 35 (a
#: confidentiality duty weighed under FVL § 27), FVL §§ 15-15 b, DBL § 22, and the MOL grounds (MOL § 2:
#: the public interest in disclosure is weighed). An assessment citing one records the main
#: considerations (``weighing_note``), which the decision prints.
DISCRETIONARY: frozenset[str] = frozenset(
    {"ofl-30-1", "ofl-30-2", "ofl-35", "fvl-15", "fvl-15a", "fvl-15b-private", "fvl-15b-public"}
    | {g.code for g in _CATALOGUE if g.code.startswith(("ofl-33-", "dbl-22-", "ofl85-"))}
)

#: Grounds where extraction applies: OFL § 28, stk. 1 (facts in documents exempt under § 23, stk. 1,
#: § 24, stk. 1, § 25 and § 27, nr. 1-4; § 29 for external expert assessments in the same documents),
#: FVL § 14 a for internal documents (§ 12), and, in MOL cases, the 1985 OFL § 11 for internal working
#: documents (§ 7). Extraction recorded on a document without one of them is refused.
EXTRACTION_GROUNDS: frozenset[str] = frozenset(
    {"ofl-23", "ofl-24", "ofl-25", "ofl-27-1", "ofl-27-2", "ofl-27-3", "ofl-27-4", "fvl-12", "ofl85-7"}
)

#: The phrases of the standard sentences that claim a weighing was made: printed only where the
#: assessment recorded one (letters.compose).
WEIGHING_PHRASES: tuple[str, ...] = (" efter en konkret afvejning", f", {_MOL_WEIGHED}")

#: The part of § 21, stk. 2's sentence that promises the stk. 3 and 4 information: printed only where a
#: document under § 21, stk. 2, is released in part (letters.compose).
PERSONNEL_RELEASE_CLAUSE = (
    "; du får dog aktindsigt i de oplysninger, der er nævnt i § 21, stk. 3 og 4, i det omfang sagen "
    "indeholder dem"
)
