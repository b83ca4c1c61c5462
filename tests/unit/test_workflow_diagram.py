"""The workflow diagram: drawn from the one machine, with Danish labels, and the committed files are fresh."""

from __future__ import annotations

import copy
import dataclasses
import os
import re
import shutil
from pathlib import Path

import pytest

from aktflow import states
from aktflow.states import diagram

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDRAW = "redraw with `aktflow workflow --write-static` (needs Graphviz) and commit web/static/workflow.*"


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"under CI the real part must run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def graphviz():
    if shutil.which("dot") is None:
        _unavailable("Graphviz's 'dot' program is not installed")


NODE_RE = re.compile(r'^\t(\w+) \[label=("[^"]*"|\S+) .*\bid=state_\w+', re.M)
EDGE_RE = re.compile(r'^\t(\w+) -> (\w+) \[label=("[^"]*"|\S+)', re.M)


def _unquote(s: str) -> str:
    return s[1:-1] if s.startswith('"') else s


def test_the_diagram_is_the_machine_with_danish_labels():
    source = diagram.dot_source()
    nodes = {name: _unquote(label) for name, label in NODE_RE.findall(source)}
    edges = {(a, b): _unquote(label) for a, b, label in EDGE_RE.findall(source)}
    # every state of the machine, labelled in Danish, plus the start dot and the note "every open state"
    assert set(nodes) == set(states.MACHINE.states) | {diagram.ANY_OPEN, diagram.START}
    for name, spec in states.STATES.items():
        assert nodes[name] == spec.label
    # every state change the machine allows, labelled with its trigger's Danish label; nothing else
    everywhere = set(diagram.everywhere_triggers())
    assert everywhere == {"withdraw"}
    expected: dict[tuple[str, str], set[str]] = {}
    for name, event in states.MACHINE.events.items():
        spec = states.TRIGGERS[name]
        for src, transitions in event.transitions.items():
            for t in transitions:
                if t.dest and not spec.system:
                    key = (diagram.ANY_OPEN if name in everywhere else src, t.dest)
                    expected.setdefault(key, set()).add(spec.label)
    assert {k: set(v.split(" | ")) for k, v in edges.items()} == expected
    # actions change no state and are not drawn; finals have a double border
    assert not any(a == b for a, b in edges)
    for name in states.FINAL:
        assert re.search(rf"^\t{name} \[.*peripheries=2", source, re.M), name
    assert re.search(rf"^\tstart -> {states.INITIAL} ", source, re.M)


def test_the_graph_machine_is_built_from_the_machine_not_a_copy(monkeypatch):
    """A transition added to the running machine appears in the diagram (and one removed disappears)."""
    before = diagram.dot_source()
    assert "closed -> decided" not in before
    spec = dataclasses.replace(
        states.TRIGGERS["close"],
        name="reopen_for_test",
        sources=("closed",),
        dest="decided",
        label="Genåbn (prøve)",
    )
    monkeypatch.setitem(states.TRIGGERS, "reopen_for_test", spec)
    machine = copy.deepcopy(states.MACHINE)  # the running machine stays as it is
    machine.add_transition("reopen_for_test", "closed", "decided")
    machine.remove_transition("receive_complaint", source="closed")
    monkeypatch.setattr(diagram, "MACHINE", machine)
    after = diagram.dot_source()
    monkeypatch.undo()
    assert re.search(r'^\tclosed -> decided \[label="Genåbn \(prøve\)"', after, re.M)
    assert "closed -> complaint_received" in before and "closed -> complaint_received" not in after
    assert diagram.dot_source() == before


def test_the_dot_source_is_deterministic_and_the_committed_file_is_fresh():
    source = diagram.dot_source()
    assert source == diagram.dot_source()
    assert (STATIC / "workflow.dot").read_text(encoding="utf-8") == source, REDRAW


def test_the_committed_svg_was_drawn_from_the_current_dot_source():
    svg = (STATIC / "workflow.svg").read_text(encoding="utf-8")
    m = re.search(r'data-dot-sha256="([0-9a-f]{64})"', svg)
    assert m and m.group(1) == diagram.sha256(diagram.dot_source()), REDRAW
    # ready to inline: no prolog, doctype or comments; accessible; a stable id per state
    assert svg.startswith('<svg class="workflow" role="img" aria-labelledby="wf-title wf-desc"')
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
    assert f'<title id="wf-title">{diagram.TITLE}</title>' in svg
    for name, spec in states.STATES.items():
        assert re.search(
            rf'<g id="state_{name}" class="node state">\s*<title>{re.escape(spec.label)}</title>', svg
        )


def _structure(svg: str) -> list[tuple[str, ...]]:
    """What a reader sees, independent of coordinates: each group's id and class, and every text."""
    return sorted(re.findall(r'<g id="([^"]+)" class="([^"]+)"', svg)) + sorted(
        (t,) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    )


def test_the_committed_svg_equals_a_fresh_drawing(graphviz):
    committed = (STATIC / "workflow.svg").read_text(encoding="utf-8")
    fresh = diagram.render_svg()
    drawn_with = re.search(r'data-graphviz="([^"]+)"', committed).group(1)
    if drawn_with == diagram.graphviz_version():
        assert fresh == committed, REDRAW
    else:  # another Graphviz lays out with other coordinates: the same nodes, edges and labels
        assert _structure(fresh) == _structure(committed), REDRAW
    assert diagram.render_svg() == fresh  # deterministic


def test_without_graphviz_rendering_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(diagram.shutil, "which", lambda _name: None)
    with pytest.raises(diagram.GraphvizMissing, match="Graphviz mangler"):
        diagram.render_svg()
    # the DOT source needs no Graphviz program
    assert diagram.dot_source().startswith("digraph workflow {")


def test_the_case_page_diagram_marks_the_state_and_the_ways_on():
    from web.svg import workflow_svg

    plain = str(workflow_svg())
    assert " current" not in plain and " next" not in plain
    marked = str(workflow_svg("closed", "Afsluttet"))
    assert re.findall(r'<g id="state_(\w+)" class="node state current">', marked) == ["closed"]
    # a closed case can only get a complaint: no withdrawal from a final state
    assert re.findall(r'<g id="edge_(\w+)" class="edge [^"]* next">', marked) == [
        "closed__complaint_received"
    ]
    assert '<desc id="wf-desc">Sagen er i tilstanden »Afsluttet«' in marked


def test_a_missing_diagram_file_is_named_not_an_error(monkeypatch, tmp_path):
    from web import svg

    monkeypatch.setattr(svg, "WORKFLOW_SVG", tmp_path / "workflow.svg")
    svg._workflow_file.cache_clear()
    try:
        html = str(svg.workflow_svg("received", "Modtaget"))
    finally:
        svg._workflow_file.cache_clear()
    assert "Diagrammet over arbejdsgangen mangler" in html and "aktflow workflow --write-static" in html
    assert "<svg" not in html
