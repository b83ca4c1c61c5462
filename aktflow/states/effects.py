"""What a trigger does besides changing the state, declared as data in the workflow definition.

Each trigger's spec lists its effects in the order they run (``TriggerSpec.effects``), e.g. ``register``
opens the A53 case in the archive *before* the receipt is written, so the receipt carries the sagsnummer.
These classes only name what happens and with which parameters; the application carries them out
(``aktflow/effects.py`` maps each class to its handler, and ``aktflow.effects.validate`` checks that every
class used here has one). This module imports nothing of the application.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Effect:
    """Base of all effects. ``describe()`` is the Danish line shown with the workflow definition."""

    def describe(self) -> str:
        return type(self).__name__


# --- the archive (SBSYS or the local archive) ------------------------------------------------------------


@dataclass(frozen=True)
class OpenArchiveCase(Effect):
    """Open a case in the archive under the case's KLE emne with handlingsfacet ``facet``.

    ``A53`` (aktindsigt) is the request's own case: its number becomes the case's sagsnummer. ``K02``
    (klage) is the complaint's case: its number is recorded in the event (docs/domain.md §3).
    """

    facet: str

    def describe(self) -> str:
        return f"Opret sag i arkivet (handlingsfacet {self.facet})"


@dataclass(frozen=True)
class CloseArchiveCase(Effect):
    def describe(self) -> str:
        return "Afslut sagen i arkivet"


# --- letters ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MakeLetter(Effect):
    """Write the letter of kind ``kind`` (a template in letters/templates), store and journalise it."""

    kind: str

    def describe(self) -> str:
        return f"Dan brev: {self.kind}"


# --- people, flags, documents -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignCase(Effect):
    def describe(self) -> str:
        return "Fordel sagen til sagsbehandleren"


@dataclass(frozen=True)
class RaiseManualFlag(Effect):
    def describe(self) -> str:
        return "Markér sagen til juridisk vurdering med begrundelsen"


@dataclass(frozen=True)
class ClearFlags(Effect):
    def describe(self) -> str:
        return "Ryd sagens markeringer og gem det godkendte (dokumenter, vurderinger, resultat)"


@dataclass(frozen=True)
class ScreenRequest(Effect):
    """Screen the request text for CPR numbers and sensitive categories; flag personnel cases (KLE 81)."""

    def describe(self) -> str:
        return "Gennemse anmodningen for personoplysninger; markér personalesager (OFL § 41)"


@dataclass(frozen=True)
class AddDocument(Effect):
    def describe(self) -> str:
        return "Tilføj dokumentet til registeret og gennemse det"


@dataclass(frozen=True)
class EditDocument(Effect):
    def describe(self) -> str:
        return "Ret dokumentets oplysninger"


@dataclass(frozen=True)
class RemoveDocument(Effect):
    def describe(self) -> str:
        return "Fjern dokumentet fra registeret"


@dataclass(frozen=True)
class AssessDocument(Effect):
    def describe(self) -> str:
        return "Gem vurderingen af dokumentet; markér undtagelsesgrunde, der kræver juridisk vurdering"


@dataclass(frozen=True)
class MakeReleasePackage(Effect):
    """Make the release package (udleveringspakke) of the documents the decision releases, after commit:
    the decision letter, then each released document stripped and stamped (docs/release.md)."""

    def describe(self) -> str:
        return "Dan udleveringspakken (afgørelsen og de udleverede dokumenter i én PDF) efter commit"


@dataclass(frozen=True)
class ReleaseDocuments(Effect):
    """A partial decision releases the documents assessed to be released in full or in part that no
    earlier partial decision released; the event records their ids under ``released`` (docs/domain.md)."""

    def describe(self) -> str:
        return "Udlevér de dokumenter, der er vurderet til (delvis) udlevering og ikke allerede udleveret"


# --- deadlines ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartDeadlines(Effect):
    """Start the statutory deadlines of the case's legal basis (docs/domain.md §2)."""

    def describe(self) -> str:
        return "Start de lovbestemte frister"


@dataclass(frozen=True)
class StartDeadline(Effect):
    """Start one deadline, computed from today and the trigger's input.

    ``rule``: ``hearing-reply`` (the hearing's reply date), ``complaint-forward`` (from the complaint's
    received date, OFL § 37 stk. 2), ``delay-complaint-forward`` (from the received date of a complaint
    about the time taken, OFL § 39) or ``appeal-body`` (the appeal body's expected answer).
    """

    rule: str

    def describe(self) -> str:
        return f"Start fristen {self.rule}"


@dataclass(frozen=True)
class ClarificationReceived(Effect):
    """The clarification arrived on ``data["received"]`` (default today, in Denmark). Where the request did
    not identify what is asked for (``identification_lacking``, OFL § 9, stk. 1) the case's deadlines run
    anew from that date; a narrowing of an identifiable request leaves the original dates standing."""

    def describe(self) -> str:
        return "Præcisering modtaget: mangelfuld identifikation (OFL § 9, stk. 1) starter fristerne forfra"


@dataclass(frozen=True)
class DeadlineNoticeSent(Effect):
    """A fristbrev: the notice deadlines are met, and the expected decision date becomes a deadline."""

    def describe(self) -> str:
        return "Fristbrevsfristen er opfyldt; den forventede afgørelsesdato bliver en frist"


@dataclass(frozen=True)
class ExtendDecisionDeadline(Effect):
    """MOL § 4 stk. 3 / GDPR art. 12(3): the decision deadline is extended once."""

    def describe(self) -> str:
        return "Forlæng afgørelsesfristen (MOL/GDPR)"


@dataclass(frozen=True)
class CompleteDeadlines(Effect):
    """Mark the case's running deadlines of these rules as met today."""

    rules: tuple[str, ...]

    def describe(self) -> str:
        return f"Frister opfyldt: {', '.join(self.rules)}"


@dataclass(frozen=True)
class DecisionMade(Effect):
    """The decision deadlines are met, and the decision is counted for the dashboard."""

    def describe(self) -> str:
        return "Afgørelsesfristerne er opfyldt; afgørelsen tælles"


@dataclass(frozen=True)
class StopDeadlines(Effect):
    def describe(self) -> str:
        return "Stop alle sagens frister"


# --- figures for the dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountComplaint(Effect):
    def describe(self) -> str:
        return "Tæl klagehændelsen"


@dataclass(frozen=True)
class ComplaintNotForwarded(Effect):
    """``close_complaint``: record where the complainant was told to turn (``complainant_told``)."""

    def describe(self) -> str:
        return "Notér, at klageren er vejledt om at klage direkte (Datatilsynet) eller om, at der ingen klageinstans er"


# --- request rules: personnel marking, refusal of the whole request ----------------------------------------


@dataclass(frozen=True)
class MarkPersonnel(Effect):
    """Mark the case as a personnel matter (OFL § 41) and flag it for the notices to the employee."""

    def describe(self) -> str:
        return "Markér sagen som personalesag; medarbejderen skal underrettes (OFL § 41)"


@dataclass(frozen=True)
class NarrowingAttemptRecorded(Effect):
    """Check and keep the attempt to narrow the request (OFL § 9, stk. 2, nr. 1: dialogue first)."""

    def describe(self) -> str:
        return "Registrér forsøget på at afgrænse anmodningen"


@dataclass(frozen=True)
class RefuseRequest(Effect):
    """Record the refusal of the whole request on the case and flag it for legal review."""

    def describe(self) -> str:
        return "Registrér afslaget på hele anmodningen; markér sagen til juridisk vurdering"


@dataclass(frozen=True)
class CancelRequestRefusal(Effect):
    def describe(self) -> str:
        return "Fjern afslaget på hele anmodningen; dokumenterne vurderes enkeltvis"
