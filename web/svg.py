"""Charts and diagrams as plain SVG (no JavaScript, nothing from the internet): the dashboard's bar chart is
drawn here; the workflow diagram is laid out by Graphviz ahead of time and read from web/static."""

from __future__ import annotations

import functools
import re
from html import escape
from pathlib import Path

from markupsafe import Markup

from aktflow.states import NON_FINAL
from aktflow.states.diagram import ANY_OPEN


def _e(s: object) -> str:
    return escape(str(s), quote=True)


def share_chart(
    months: list[dict], label_of, *, width: int = 760, height: int = 260, goal: float = 0.9
) -> Markup:
    """Bars per month: the share decided within 7 working days (0–100 %), with the count under each bar."""
    left, right, top, bottom = 44, 12, 16, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(months), 1)
    slot = plot_w / n
    bar = min(42.0, slot * 0.62)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc" '
        f'xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Andel afgjort inden for 7 arbejdsdage pr. måned</title>',
    ]
    desc = "; ".join(
        f"{label_of(m['month'])}: "
        + (f"{round(m['share'] * 100)} % af {m['decided']}" if m["decided"] else "ingen afgørelser")
        for m in months
    )
    parts.append(f'<desc id="chart-desc">{_e(desc)}</desc>')
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - pct / 100)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">{pct} %</text>')
    gy = top + plot_h * (1 - goal)
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{gy:.1f}" y2="{gy:.1f}" class="goal"/>')
    parts.append(
        f'<text x="{width - right}" y="{gy - 4:.1f}" class="axis goal-label" text-anchor="end">mål {round(goal * 100)} %</text>'
    )
    for i, m in enumerate(months):
        cx = left + slot * (i + 0.5)
        x = cx - bar / 2
        label = label_of(m["month"])
        if m["decided"]:
            share = m["share"] or 0.0
            h = max(plot_h * share, 1.5)
            y = top + plot_h - h
            cls = "bar good" if share >= goal else ("bar mid" if share >= 0.6 else "bar bad")
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" class="{cls}">'
                f"<title>{_e(label)}: {m['in_time']} af {m['decided']} rettidigt</title></rect>"
            )
            parts.append(
                f'<text x="{cx:.1f}" y="{y - 4:.1f}" class="val" text-anchor="middle">{round(share * 100)}%</text>'
            )
        else:
            parts.append(
                f'<text x="{cx:.1f}" y="{top + plot_h - 4:.1f}" class="axis" text-anchor="middle">–</text>'
            )
        mon, _, year = label.partition(" ")
        parts.append(
            f'<text x="{cx:.1f}" y="{top + plot_h + 16:.1f}" class="axis" text-anchor="middle">{_e(mon)}</text>'
        )
        parts.append(
            f'<text x="{cx:.1f}" y="{top + plot_h + 30:.1f}" class="axis small" text-anchor="middle">{_e(year[-2:] and "’" + year[-2:])}</text>'
        )
        parts.append(
            f'<text x="{cx:.1f}" y="{top + plot_h + 45:.1f}" class="axis small" text-anchor="middle">n={m["decided"]}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# --- the workflow diagram: drawn by Graphviz ahead of time, served from web/static ---------------------------

STATIC = Path(__file__).with_name("static")
WORKFLOW_SVG = STATIC / "workflow.svg"  # written by `aktflow workflow --write-static`; freshness is tested


@functools.cache
def _workflow_file() -> str | None:
    try:
        return WORKFLOW_SVG.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def workflow_svg(current: str | None = None, current_label: str | None = None) -> Markup:
    """The workflow diagram (web/static/workflow.svg) to inline in a page, optionally marking a state.

    With ``current`` (a state name) that state's node gets the class ``current`` and the transitions out
    of it the class ``next``; the SVG's description then says in words which state the case is in
    (``current_label``, the Danish label), so the diagram does not rely on colour alone. Without the file
    (an installation that lost it), a short Danish notice says what is missing instead.
    """
    svg = _workflow_file()
    if svg is None:
        return Markup(
            '<p class="empty">Diagrammet over arbejdsgangen mangler (web/static/workflow.svg); '
            "det tegnes med <code>aktflow workflow --write-static</code>, som kræver Graphviz.</p>"
        )
    if current:
        node = f'<g id="state_{_e(current)}" class="node state"'
        svg = svg.replace(node, node[:-1] + ' current"', 1)
        # Withdrawal is drawn once, from the note for every open state.
        sources = [current] + ([ANY_OPEN] if current in NON_FINAL else [])
        for src in sources:
            svg = svg.replace(f'class="edge from_{_e(src)}"', f'class="edge from_{_e(src)} next"')
        where = f"Sagen er i tilstanden »{current_label or current}«, markeret med tyk kant."
        svg = re.sub(r'<desc id="wf-desc">', lambda m: f"{m.group(0)}{_e(where)} ", svg, count=1)
    return Markup(svg)
