"""The vocabulary of the workflow definition: states, triggers, fields, roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..vocabulary import ANYONE, CASEWORK, LEGAL  # noqa: F401 - the definition's role sets
from .effects import Effect, MakeLetter


@dataclass(frozen=True)
class StateSpec:
    name: str
    label: str  # Danish
    final: bool = False
    open: bool = True  # counts as an open case (deadlines run)
    decided: bool = False  # a decision has been sent


# A trigger's inputs: one class per kind that parses, validates and describes itself (states/fields.py).
from .fields import Field  # noqa: E402

# A guard gets the case and the fire context and returns None when met, else a Danish message.
Guard = Callable[[Any, Any], str | None]


@dataclass(frozen=True)
class TriggerSpec:
    name: str
    sources: tuple[str, ...]
    dest: str | None  # None: an action that changes no state (an internal transition)
    roles: frozenset[str]
    label: str  # Danish
    phase: str
    fields: tuple[Field, ...] = ()
    guards: tuple[Guard, ...] = field(default=())
    # A system action (e.g. deadlines recomputed after a calendar change): logged like the others, but
    # written by aktflow itself, never offered to or fired by a user.
    system: bool = False
    # Whether the trigger applies to a case at all (e.g. only MOL/GDPR cases can be extended); a trigger
    # that does not apply is neither offered nor allowed.
    applies: Callable[[Any], bool] | None = None
    # The message for a refusal in a state not among the sources, where a plain "not allowed" says too little.
    locked: str | None = None
    # What the trigger does besides changing the state, in the order it is done (aktflow/states/effects.py).
    effects: tuple[Effect, ...] = ()
    # May start from a final state (a complaint about a closed case reopens it).
    reopens: bool = False
    # An action (no state change) that may be taken on a final case too: a letter still on its way, who may
    # see a closed sensitive case (aktflow/states/case_actions.py).
    closed_too: bool = False
    # Inputs kept by the effect where they belong, not in the event (a legal comment's text): the event
    # keeps what the effect records about them instead.
    unlogged: tuple[str, ...] = ()

    @property
    def letter(self) -> str | None:
        """The kind of letter the trigger writes (its MakeLetter effect), or None."""
        kinds = [e.kind for e in self.effects if isinstance(e, MakeLetter)]
        return kinds[0] if kinds else None

    @property
    def is_action(self) -> bool:
        return self.dest is None
