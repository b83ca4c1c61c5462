"""The vocabulary and its Danish labels: one definition each, and every code name has a label."""

from __future__ import annotations

import pathlib
import re

from aktflow import deadlines, grounds, labels, states, vocabulary

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_code_name_has_a_danish_label():
    assert set(labels.ROLE_LABELS) == set(vocabulary.ROLES)
    for table in (labels.BASIS_LABELS, labels.BASIS_SHORT, labels.BASIS_NAMES):
        assert set(table) == set(vocabulary.BASES)
    assert tuple(labels.RULE_LABELS) == vocabulary.RULES
    assert set(labels.STATUS_LABELS) == set(vocabulary.STATUSES)
    assert tuple(labels.DOCUMENT_OUTCOME_LABELS) == vocabulary.DOCUMENT_OUTCOMES
    assert tuple(labels.CASE_OUTCOME_LABELS) == vocabulary.CASE_OUTCOMES
    assert set(labels.LETTER_LABELS) == set(labels.LETTER_TITLES)


def test_rule_sets_are_rules_and_decision_rules_do_not_collide():
    assert set(vocabulary.DECISION_RULES) <= set(vocabulary.RULES)
    assert set(vocabulary.NOTICE_RULES) <= set(vocabulary.RULES)
    assert set(vocabulary.FIGURE_DECISION_RULES) < set(vocabulary.DECISION_RULES)


def test_the_domain_uses_the_vocabulary():
    assert deadlines.BASES is vocabulary.BASES
    assert grounds.BASES is vocabulary.BASES
    assert states.TRIGGERS["assign"].roles == vocabulary.CASEWORK
    assessed = next(f for f in states.TRIGGERS["assess_document"].fields if f.name == "outcome")
    assert tuple(assessed.choices) == vocabulary.DOCUMENT_OUTCOMES


def test_state_and_trigger_labels_come_from_the_definition():
    assert labels.state_label("received") == states.STATES["received"].label
    assert labels.trigger_label("assign") == states.TRIGGERS["assign"].label
    assert labels.event_label("create") == "Anmodning registreret"
    assert labels.event_label("assign") == states.TRIGGERS["assign"].label
    assert labels.state_label("no-such-state") == "no-such-state"


def test_system_actor_can_never_be_a_username():
    assert not vocabulary.USERNAME_RE.match(vocabulary.SYSTEM_ACTOR)


def test_no_copies_of_the_vocabulary_left_in_the_code():
    """The DOCX MIME type, the role sets and the decision rules are spelled out in one module only."""
    sources = [
        p
        for d in ("aktflow", "web", "letters")
        for p in (ROOT / d).rglob("*.py")
        if p.name not in ("vocabulary.py", "labels.py") and "testing" not in p.parts
    ]
    patterns = {
        "DOCX MIME": re.compile(r"wordprocessingml\.document"),
        "role set": re.compile(r"\(\s*\"caseworker\",\s*\"(legal|manager)\""),
        "decision rules": re.compile(r"\"ofl-decision\",\s*\"fvl-decision\""),
        "status labels": re.compile(r"\"due_soon\":\s*\"Snart\""),
    }
    found = [
        f"{p.relative_to(ROOT)}: {name}"
        for p in sources
        for name, rx in patterns.items()
        if rx.search(p.read_text(encoding="utf-8"))
    ]
    assert found == []
