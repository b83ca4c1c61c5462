"""The vocabulary of the workflow definition: states, triggers, fields, roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..vocabulary import ANYONE, CASEWORK, LEGAL  # noqa: F401 - the definition's role sets


@dataclass(frozen=True)
class StateSpec:
    name: str
    label: str  # Danish
    final: bool = False
    open: bool = True  # counts as an open case (deadlines run)
    decided: bool = False  # a decision has been sent


@dataclass(frozen=True)
class Field:
    """An input a trigger takes: ``note`` or a key of ``data``."""

    name: str
    kind: str  # text | date | future_date | user | int | choice | bool
    label: str  # Danish, for forms
    required: bool = True
    choices: tuple[str, ...] = ()
    max_len: int = 10_000  # for text


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

    @property
    def is_action(self) -> bool:
        return self.dest is None
