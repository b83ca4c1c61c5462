"""The workflow diagram, drawn from the one machine with transitions' Graphviz support.

``graph_machine()`` builds a ``transitions`` GraphMachine from the states and transitions of
``aktflow.states.MACHINE`` (the machine that ``fire()`` uses), with the Danish labels of the definition.
``dot_source()`` is its Graphviz DOT text; ``render_svg()`` lays it out with Graphviz ``dot`` and returns
an SVG ready to inline in a page. Both are deterministic: the same definition gives the same bytes.

The web UI needs no Graphviz: it serves the SVG rendered ahead of time (``aktflow workflow --write-static``
writes ``web/static/workflow.dot`` and ``workflow.svg``), and a test proves that the files are fresh.

Actions (triggers that change no state) and system triggers are left out; a transition allowed from every
open state (withdrawal) is drawn once, from a note "Enhver åben tilstand", instead of once per state.
"""

from __future__ import annotations

import copy
import hashlib
import re
import shutil
import subprocess
from html import escape
from typing import Any

from transitions import State
from transitions.extensions.diagrams import GraphMachine
from transitions.extensions.diagrams_graphviz import Graph

from . import FINAL, INITIAL, MACHINE, NON_FINAL, STATES, TRIGGERS

TITLE = "Arbejdsgangen for en anmodning om aktindsigt"
DESCRIPTION = (
    "Tilstande og overgange; afsluttede tilstande har dobbelt kant. "
    "Tabellen over overgange på siden Arbejdsgang giver den samme information som tekst."
)
ANY_OPEN = "any_open"  # the note a transition allowed from every open state is drawn from
START = "start"  # the dot that points at the initial state

_FONT = "Helvetica"
_INK, _NODE_FILL, _NODE_LINE, _FINAL_FILL, _FINAL_LINE = "#2d3645", "#e7eefb", "#12325a", "#eef0f3", "#3e4553"


class GraphvizMissing(RuntimeError):
    """Graphviz's ``dot`` program is not installed, so the diagram cannot be laid out."""


class _LabelledState(State):
    """A state that carries its Danish label for the diagram (transitions' markup reads ``label``)."""

    def __init__(self, *args, label: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.label = label


class _CentredGraph(Graph):
    """transitions' graphviz backend, with state labels centred (it ends each with a left-aligned break)."""

    def _convert_state_attributes(self, state):
        return state.get("label", state["name"])


class WorkflowGraph(GraphMachine):
    """A GraphMachine over the workflow's states and transitions, styled for aktflow's pages."""

    state_cls = _LabelledState

    machine_attributes = {
        "directed": "true",
        "strict": "false",
        "rankdir": "TB",
        "nodesep": "0.35",
        "ranksep": "0.45",
        "fontname": _FONT,
        "bgcolor": "transparent",
    }

    def _init_graphviz_engine(self, graph_engine):
        return _CentredGraph  # the graphviz backend (pure Python; the `dot` program only for layout)


def everywhere_triggers() -> list[str]:
    """Transitions (with a destination, not system) allowed from every open state, e.g. ``withdraw``."""
    return [t.name for t in TRIGGERS.values() if t.dest and not t.system and set(NON_FINAL) <= set(t.sources)]


def _edges() -> list[dict]:
    """The machine's transitions as markup: one dict per (trigger, source), in the machine's order."""
    everywhere = set(everywhere_triggers())
    out: list[dict] = []
    for name, event in MACHINE.events.items():
        spec = TRIGGERS[name]
        if spec.system:
            continue
        for source, transitions in event.transitions.items():
            for t in transitions:
                if t.dest is None:  # an action: logged, but the state stays
                    continue
                src = ANY_OPEN if name in everywhere else source
                edge = {"trigger": name, "source": src, "dest": t.dest, "label": spec.label}
                if edge not in out:
                    out.append(edge)
    return out


def graph_machine() -> WorkflowGraph:
    """The diagram machine: the states and transitions of ``states.MACHINE`` with their Danish labels.

    Returns a GraphMachine (the Graphviz backend of transitions, ``graph_engine="graphviz"``) that is never
    used to fire anything; it only draws. Raises nothing: laying out needs Graphviz, building does not.
    """
    names = list(MACHINE.states)
    nodes = [{"name": n, "label": STATES[n].label} for n in names]
    edges = _edges()
    if any(e["source"] == ANY_OPEN for e in edges):
        nodes.append({"name": ANY_OPEN, "label": "Enhver åben tilstand"})
    machine = WorkflowGraph(
        model=None,
        states=nodes,
        transitions=edges,
        initial=INITIAL,
        auto_transitions=False,
        graph_engine="graphviz",
        title="workflow",
    )
    # Styles per instance (the class's dict is transitions' own and is shared).
    machine.style_attributes = _styles(machine)
    return machine


def _styles(machine: GraphMachine) -> dict:
    # transitions types its style table loosely; it is a dict of dicts.
    styles: dict[str, Any] = copy.deepcopy(GraphMachine.style_attributes)
    styles["node"]["default"] = {
        "shape": "rectangle",
        "style": "rounded,filled",
        "fillcolor": _NODE_FILL,
        "color": _NODE_LINE,
        "fontcolor": _NODE_LINE,
        "fontname": _FONT,
        "fontsize": "13",
        "penwidth": "1.4",
        "margin": "0.14,0.07",
        "peripheries": "1",
    }
    styles["edge"]["default"] = {
        "color": "#586274",
        "fontcolor": _INK,
        "fontname": _FONT,
        "fontsize": "10.5",
        "arrowsize": "0.7",
    }
    for name in machine.states:
        style = {"id": f"state_{name}", "class": "state"}
        if name in FINAL:
            style.update({"peripheries": "2", "fillcolor": _FINAL_FILL, "color": _FINAL_LINE})
        if name == ANY_OPEN:
            style = {
                "id": f"state_{name}",
                "class": "note",
                "style": "dashed,rounded",
                "color": "#7d8696",
                "fontcolor": "#545c6a",
            }
        styles["node"][f"state:{name}"] = style
    return styles


def _edge_style(src: str, dst: str) -> dict:
    return {"id": f"edge_{src}__{dst}", "class": f"from_{src}"}


def dot_source() -> str:
    """The diagram as Graphviz DOT text (deterministic; no Graphviz program needed)."""
    machine: Any = graph_machine()  # transitions' graph classes are typed more narrowly than they are
    graph: Any = machine.graph_cls(machine)
    for name in machine.states:
        graph.set_node_style(name, f"state:{name}")
    for e in _edges():
        key = f"edge:{e['source']}:{e['dest']}"
        machine.style_attributes["edge"][key] = _edge_style(e["source"], e["dest"])
        graph.custom_styles["edge"][e["source"]][e["dest"]] = key
    digraph: Any = graph.get_graph(title="workflow")
    del digraph.graph_attr["label"]  # the page has its own heading
    # The initial state: a dot pointing at it, as in a UML state diagram.
    digraph.node(
        START, label="", shape="circle", style="filled", fillcolor=_NODE_LINE, color=_NODE_LINE,
        width="0.16", height="0.16", id="state_start", **{"class": "start"},
    )  # fmt: skip
    digraph.edge(START, INITIAL, id=f"edge_{START}__{INITIAL}", **{"class": "start"})
    return digraph.source


def _dot_program(dot: str) -> str:
    exe = shutil.which(dot)
    if exe is None:
        raise GraphvizMissing("Graphviz mangler: programmet 'dot' er ikke installeret")
    return exe


def graphviz_version(dot: str = "dot") -> str:
    """The installed Graphviz version (e.g. ``"2.43.0"``); raises ``GraphvizMissing`` if ``dot`` is absent."""
    out = subprocess.run([_dot_program(dot), "-V"], capture_output=True, text=True, check=True)
    m = re.search(r"version\s+(\S+)", out.stderr + out.stdout)
    return m.group(1) if m else "unknown"


def sha256(text: str) -> str:
    """The hex SHA-256 of ``text`` (UTF-8): how an SVG names the DOT text it was drawn from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_svg(source: str | None = None, *, dot: str = "dot") -> str:
    """Lay out ``source`` (default: ``dot_source()``) with Graphviz and return the SVG, ready to inline.

    The SVG has no XML prolog, doctype or comments; its root carries ``class="workflow"``, an accessible
    title and description, the Graphviz version and the SHA-256 of the DOT text it was drawn from (so a
    test can tell a stale file). Each state is a ``<g id="state_NAME" class="node state">`` whose
    ``<title>`` is the Danish label. Raises ``GraphvizMissing`` without ``dot``.
    """
    source = dot_source() if source is None else source
    version = graphviz_version(dot)
    done = subprocess.run(
        [_dot_program(dot), "-Tsvg"], input=source.encode("utf-8"), capture_output=True, check=True
    )
    return _tidy(done.stdout.decode("utf-8"), version=version, source_sha=sha256(source))


def _tidy(svg: str, *, version: str, source_sha: str) -> str:
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    labels = {n: s.label for n, s in STATES.items()}
    labels[ANY_OPEN] = "Enhver åben tilstand"
    labels[START] = "Start"

    def title(m: re.Match) -> str:
        node, name = m.group(1), m.group(2)
        return f"{node}\n<title>{escape(labels.get(name, name), quote=False)}</title>"

    svg = re.sub(r'(<g id="state_[^"]*" class="node[^"]*">)\s*<title>([^<]*)</title>', title, svg)
    # Edge titles ("a->b") and the graph's name say nothing to a reader; the label text is there.
    svg = re.sub(r'(<g id="edge_[^"]*" class="edge[^"]*">)\s*<title>[^<]*</title>', r"\1", svg)
    svg = re.sub(r'(<g id="graph0" class="graph"[^>]*>)\s*<title>[^<]*</title>', r"\1", svg)
    root = (
        f'<svg class="workflow" role="img" aria-labelledby="wf-title wf-desc" '
        f'data-graphviz="{escape(version)}" data-dot-sha256="{source_sha}"'
    )
    svg = re.sub(r"<svg\b", root, svg, count=1)
    head = f'\n<title id="wf-title">{escape(TITLE)}</title>\n<desc id="wf-desc">{escape(DESCRIPTION)}</desc>'
    svg = re.sub(r"<svg\b[^>]*>", lambda m: m.group(0) + head, svg, count=1)
    return svg.strip() + "\n"


__all__ = [
    "ANY_OPEN",
    "GraphvizMissing",
    "WorkflowGraph",
    "dot_source",
    "everywhere_triggers",
    "graph_machine",
    "graphviz_version",
    "render_svg",
]
