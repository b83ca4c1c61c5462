"""Charts and diagrams drawn on the server as plain SVG (no JavaScript, nothing from the internet)."""

from __future__ import annotations

from html import escape

from markupsafe import Markup


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


# --- the workflow as a state diagram ------------------------------------------------------------------------------

NODE_W, NODE_H, ROW_GAP, COL_GAP = 212, 46, 96, 90


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _layout():
    """Layers by shortest distance from the initial state over the transitions; order within a layer by
    the mean position of the predecessors (a few sweeps); final states last in their layer."""
    from aktflow import states

    everywhere = {
        t.name
        for t in states.TRIGGERS.values()
        if t.dest and not t.system and set(states.NON_FINAL) <= set(t.sources)
    }
    pairs: dict[tuple[str, str], list[str]] = {}
    for t in states.TRIGGERS.values():
        if t.dest is None or t.system or t.name in everywhere:
            continue
        for src in t.sources:
            pairs.setdefault((src, t.dest), []).append(t.label)
    layer = {states.INITIAL: 0}
    frontier = [states.INITIAL]
    while frontier:
        nxt = []
        for s in frontier:
            for a, b in pairs:
                if a == s and b not in layer:
                    layer[b] = layer[s] + 1
                    nxt.append(b)
        frontier = nxt
    last = max(layer.values()) if layer else 0
    for s in states.STATES:  # states only reachable through an everywhere-trigger
        layer.setdefault(s, last + 1)
    rows: dict[int, list[str]] = {}
    for s in states.STATES:
        rows.setdefault(layer[s], []).append(s)
    pos = {s: i for r in rows.values() for i, s in enumerate(r)}
    for _ in range(4):
        for lv in sorted(rows):

            def bary(s):
                preds = [pos[a] for (a, b) in pairs if b == s and layer[a] < layer[s]]
                return sum(preds) / len(preds) if preds else pos[s]

            rows[lv].sort(key=lambda s: (states.STATES[s].final, bary(s)))
            for i, s in enumerate(rows[lv]):
                pos[s] = i
    return layer, rows, pairs, everywhere


def workflow_svg() -> Markup:
    from aktflow import states

    layer, rows, pairs, everywhere = _layout()
    widest = max(len(r) for r in rows.values())
    side = 40
    n_back = sum(1 for (a, b) in pairs if layer[a] > layer[b])
    width = widest * NODE_W + (widest - 1) * COL_GAP + 2 * (side + 20 * n_back + 150)
    height = 30 + len(rows) * NODE_H + (len(rows) - 1) * ROW_GAP + 30
    xy: dict[str, tuple[float, float]] = {}
    for lv, r in rows.items():
        total = len(r) * NODE_W + (len(r) - 1) * COL_GAP
        x0 = (width - total) / 2
        for i, s in enumerate(r):
            xy[s] = (x0 + i * (NODE_W + COL_GAP) + NODE_W / 2, 30 + lv * (NODE_H + ROW_GAP) + NODE_H / 2)
    out = [
        f'<svg class="workflow" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        'aria-labelledby="wf-title wf-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="wf-title">Arbejdsgangen for en anmodning om aktindsigt</title>',
        '<desc id="wf-desc">Tilstande og overgange; se tabellen under diagrammet for den samme information som tekst.</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>',
    ]
    labels: list[str] = []
    hw, hh = NODE_W / 2, NODE_H / 2

    def label_at(x: float, y: float, text: str, anchor: str = "middle", wrap: int = 20) -> None:
        lines = [w for part in text.split("\n") for w in _wrap(part, wrap)]
        wmax = max(len(line) for line in lines) * 6.3 + 8
        h = 14 * len(lines) + 2
        rx = x - wmax / 2 if anchor == "middle" else (x if anchor == "start" else x - wmax)
        labels.append(
            f'<rect x="{rx:.1f}" y="{y - h / 2:.1f}" width="{wmax:.1f}" height="{h}" rx="3" class="lbl-bg"/>'
        )
        for i, line in enumerate(lines):
            tx = {"middle": x, "start": x + 4, "end": x - 4}[anchor]
            labels.append(
                f'<text x="{tx:.1f}" y="{y - h / 2 + 12 + 14 * i:.1f}" text-anchor="{anchor}" class="edge-label">{_e(line)}</text>'
            )

    def bez(p0, p1, p2, p3, t):
        u = 1 - t
        return tuple(
            u**3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t**3 * d
            for a, b, c, d in zip(p0, p1, p2, p3, strict=False)
        )

    # Back edges over more than one row (or without a partner edge) run in channels right of the nodes.
    long_back = sorted(
        (
            (a, b)
            for (a, b) in pairs
            if layer[a] > layer[b] and not (layer[a] == layer[b] + 1 and (b, a) in pairs)
        ),
        key=lambda e: (layer[e[0]] - layer[e[1]], layer[e[0]]),
    )
    rightmost = max(x for x, _ in xy.values()) + hw
    channel = {e: rightmost + 34 + 20 * i for i, e in enumerate(long_back)}
    label_x = rightmost + 34 + 20 * len(long_back)

    # Ports: edges leaving or entering a node's bottom or top are spread along it, ordered by where their
    # other end lies, so that edges fanning out from one node do not cross each other.
    kinds: dict[tuple[str, str], str] = {}
    for a, b in pairs:
        la, lb = layer[a], layer[b]
        kinds[(a, b)] = (
            "side" if la == lb else "down" if lb > la else "channel" if (a, b) in channel else "up"
        )
    ends: dict[tuple[str, str], list] = {}
    for (a, b), k in kinds.items():
        if k == "down":
            ends.setdefault((a, "bottom"), []).append(((xy[b][0], 0), (a, b), "src"))
            ends.setdefault((b, "top"), []).append(((xy[a][0], 0), (a, b), "dst"))
        elif k == "up":
            ends.setdefault((a, "top"), []).append(((xy[b][0], 1), (a, b), "src"))
            ends.setdefault((b, "bottom"), []).append(((xy[a][0], 1), (a, b), "dst"))
        elif k == "channel":
            ends.setdefault((a, "bottom"), []).append(((1e9, channel[(a, b)]), (a, b), "src"))
    port: dict[tuple[tuple[str, str], str], float] = {}
    for (node, _side), items in ends.items():
        items.sort(key=lambda it: it[0])
        n = len(items)
        step = min(34.0, (NODE_W - 40) / max(n - 1, 1))
        for i, (_, edge, role) in enumerate(items):
            port[(edge, role)] = xy[node][0] + (i - (n - 1) / 2) * step

    for (a, b), names in pairs.items():
        (x1, y1), (x2, y2) = xy[a], xy[b]
        text = "\n".join(dict.fromkeys(names))
        two_way = (b, a) in pairs
        kind = kinds[(a, b)]
        if kind == "side":  # same row: side to side, label above (or below for the return edge)
            sx, ex = (x1 + hw, x2 - hw) if x2 > x1 else (x1 - hw, x2 + hw)
            dy = (-7 if x2 > x1 else 7) if two_way else 0
            out.append(
                f'<path d="M{sx:.1f},{y1 + dy:.1f} L{ex:.1f},{y2 + dy:.1f}" class="edge" marker-end="url(#arrow)"/>'
            )
            n = len(_wrap(text, 14))
            label_at((sx + ex) / 2, y1 + dy - 9 - 7 * n if dy <= 0 else y1 + dy + 9 + 7 * n, text, wrap=14)
        elif kind in ("down", "up"):
            sy, ey = (y1 + hh, y2 - hh) if kind == "down" else (y1 - hh, y2 + hh)
            p0, p3 = (port[((a, b), "src")], sy), (port[((a, b), "dst")], ey)
            my = (sy + ey) / 2
            p1, p2 = (p0[0], my), (p3[0], my)
            cls = "edge" if kind == "down" else "edge back"
            out.append(
                f'<path d="M{p0[0]:.1f},{p0[1]:.1f} C{p1[0]:.1f},{p1[1]:.1f} {p2[0]:.1f},{p2[1]:.1f} {p3[0]:.1f},{p3[1]:.1f}" class="{cls}" marker-end="url(#arrow)"/>'
            )
            # The label sits near the lower node, where edges from one node have spread apart.
            lx, ly = bez(p0, p1, p2, p3, 0.72 if kind == "down" else 0.28)
            lower = b if kind == "down" else a
            if two_way:
                label_at(
                    lx + (-6 if kind == "down" else 6),
                    ly,
                    text,
                    "end" if kind == "down" else "start",
                    wrap=16,
                )
            elif (
                abs(p0[0] - p3[0]) < 1
                or len(ends.get((lower, "top" if kind == "down" else "bottom"), [])) == 1
                and abs(lx - xy[lower][0]) < 30
            ):
                label_at(lx + 8, ly, text, "start", wrap=16)
            else:
                label_at(lx, ly, text, wrap=16)
        else:  # further up: below the source row to a channel on the right, up, into the target's right side
            cx = channel[(a, b)]
            px = port[((a, b), "src")]
            gy = y1 + hh + 14
            ty = y2 + 8
            r = 8
            d = (
                f"M{px:.1f},{y1 + hh:.1f} L{px:.1f},{gy - r:.1f} "
                f"Q{px:.1f},{gy:.1f} {px + r:.1f},{gy:.1f} L{cx - r:.1f},{gy:.1f} "
                f"Q{cx:.1f},{gy:.1f} {cx:.1f},{gy - r:.1f} L{cx:.1f},{ty + r:.1f} Q{cx:.1f},{ty:.1f} {cx - r:.1f},{ty:.1f} "
                f"L{x2 + hw:.1f},{ty:.1f}"
            )
            out.append(f'<path d="{d}" class="edge back" marker-end="url(#arrow)"/>')
            labels.append(
                f'<path d="M{cx:.1f},{(gy + ty) / 2:.1f} L{label_x - 4:.1f},{(gy + ty) / 2:.1f}" class="leader"/>'
            )
            label_at(label_x, (gy + ty) / 2, text, "start")
    for s, (x, y) in xy.items():
        spec = states.STATES[s]
        cls = "node final" if spec.final else "node"
        out.append(
            f'<g class="{cls}" data-state="{s}"><rect x="{x - hw:.1f}" y="{y - hh:.1f}" width="{NODE_W}" height="{NODE_H}" rx="8"/>'
        )
        if spec.final:
            out.append(
                f'<rect x="{x - hw + 4:.1f}" y="{y - hh + 4:.1f}" width="{NODE_W - 8}" height="{NODE_H - 8}" rx="6" class="inner"/>'
            )
        lines = _wrap(spec.label, 22)
        y0 = y + 5 - 8 * (len(lines) - 1)
        for i, line in enumerate(lines):
            out.append(f'<text x="{x:.1f}" y="{y0 + 16 * i:.1f}" text-anchor="middle">{_e(line)}</text>')
        out.append("</g>")
    x0, y0 = xy[states.INITIAL]
    out.append(
        f'<circle cx="{x0 - hw - 26:.1f}" cy="{y0:.1f}" r="7" class="start"/>'
        f'<path d="M{x0 - hw - 19:.1f},{y0:.1f} L{x0 - hw:.1f},{y0:.1f}" class="edge" marker-end="url(#arrow)"/>'
    )
    for name in sorted(everywhere):
        t = states.TRIGGERS[name]
        x, y = xy[t.dest]
        label_at(x, y - hh - 14, f"{t.label} (fra alle åbne tilstande)")
    out.extend(labels)
    out.append("</svg>")
    return Markup("".join(out))
