"""A self-contained HTML page of an analysis: map, cluster sizes, task-kind coverage, token histograms, flags.

Everything from the dataset is escaped; the page loads nothing from anywhere.
"""

from __future__ import annotations

from html import escape

import numpy as np

from explorer.core.analysis import kind_classifier
from explorer.core.analysis.checks import FLAGS
from explorer.core.analysis.label_layout import layout_labels

PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#86bcb6", "#8cd17d", "#b6992d", "#499894", "#d37295", "#a0cbe8", "#ffbe7d", "#f1ce63", "#d4a6c8",
           "#fabfd2", "#79706e"]
MAP_POINTS = 20000
MAP_W, MAP_H = 900, 600
EXAMPLES = 3
SNIPPET = 160

CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans CJK SC',sans-serif;margin:24px auto;
max-width:1000px;color:#222;padding:0 16px}h1{font-size:22px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #ddd}
.bar{display:flex;align-items:center;gap:8px;margin:2px 0}.bar .name{width:260px;overflow:hidden;white-space:nowrap;
text-overflow:ellipsis}.bar .track{flex:1;background:#f1f1f1;height:14px;position:relative}.bar .fill{height:14px;
background:#4e79a7}.bar .target{position:absolute;top:-2px;width:2px;height:18px;background:#222}.gap .fill{background:#e15759}
.gap .name{color:#c0392b;font-weight:600}.num{width:190px;text-align:right;font-variant-numeric:tabular-nums;color:#555}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
.ex{color:#555;font-size:12px}.muted{color:#777}svg text{font-size:11px}
"""


def render_html(analysis, info: dict) -> str:
    a = analysis
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>SFT Explorer report</title><style>{CSS}</style>"
             "</head><body>", _header(info), "<h2>Map (coloured by cluster)</h2>", _map_svg(a),
             "<h2>Clusters</h2>", _cluster_bars(info), "<h2>Task-kind coverage</h2>", _coverage_bars(info),
             "<h2>Token lengths</h2>", _histograms(a), "<h2>Quality flags</h2>", _flags_table(a, info),
             _eval_overlap(a, info),
             "<h2>Dataset facts</h2>", _facts(info), "</body></html>"]
    return "\n".join(parts)


def _header(info: dict) -> str:
    d, e, b = info["dataset"], info["embedding"], info["balance"]
    gaps = ", ".join(info["gaps"]) or "none"
    secs = sum(info["seconds"].values())
    return (f"<h1>SFT Explorer report</h1><p><b>{escape(d['path'])}</b> — {d['records']:,} records "
            f"({escape(d['format'])}, {escape(d['container'])}), {d['problems']} load problems.</p>"
            f"<p>{b['clusters']} clusters, normalized entropy {b['normalized_entropy']:.2f} (1 = even), largest "
            f"cluster {b['largest_share']:.1%}, noise {b['noise_share']:.1%}. Gaps (kinds under half their target): "
            f"<b>{escape(gaps)}</b>.</p><p class='muted'>Embeddings: {escape(e['model'])} on {escape(e['device'])} "
            f"({e['computed']:,} computed, {e['cached']:,} from cache); analysis took {secs:.1f} s.</p>")


LABEL_CHAR_W = 6.2
"""Width of one Latin character of the 11 px label font (a CJK character counts twice)."""
LABEL_H = 14


def _map_svg(a) -> str:
    xy = a.xy
    n = len(xy)
    if n == 0:
        return "<p class='muted'>No records.</p>"
    idx = np.arange(n) if n <= MAP_POINTS else np.random.default_rng(0).choice(n, MAP_POINTS, replace=False)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    pad = 20
    px = pad + (xy[:, 0] - lo[0]) / span[0] * (MAP_W - 2 * pad)
    py = pad + (1 - (xy[:, 1] - lo[1]) / span[1]) * (MAP_H - 2 * pad)
    dots = []
    for i in idx.tolist():
        c = int(a.clusters[i])
        color = "#c8c8c8" if c < 0 else PALETTE[c % len(PALETTE)]
        dots.append(f"<circle cx='{px[i]:.1f}' cy='{py[i]:.1f}' r='2.2' fill='{color}'/>")
    if a.eval_items is not None:  # eval items: black crosses on top
        exy = a.eval_items.xy
        ex = pad + (exy[:, 0] - lo[0]) / span[0] * (MAP_W - 2 * pad)
        ey = pad + (1 - (exy[:, 1] - lo[1]) / span[1]) * (MAP_H - 2 * pad)
        for x, y in list(zip(ex.tolist(), ey.tolist()))[:MAP_POINTS]:
            dots.append(f"<path d='M{x - 3:.1f},{y - 3:.1f}l6,6m0,-6l-6,6' stroke='#111' stroke-width='1.2'/>")
    ids, sizes = np.unique(a.clusters[a.clusters >= 0], return_counts=True)
    order = np.argsort(-sizes, kind="stable")[:40]  # largest first: they get the spots next to their centres
    texts, boxes, must = [], [], []
    for k in order.tolist():
        members = a.clusters == ids[k]
        cx, cy = float(np.median(px[members])), float(np.median(py[members]))
        text = f"{int(ids[k])}: {a.cluster_label(int(ids[k]))}"
        width = LABEL_CHAR_W * sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 6
        texts.append((text, cx, cy))
        boxes.append((cx - width / 2, cy - LABEL_H + 3, width, LABEL_H))
        must.append(sizes[k] / n >= 0.01)
    labels = []
    for (text, cx, cy), spot in zip(texts, layout_labels(boxes, must, (0, 0, MAP_W, MAP_H))):
        if spot is None:
            continue
        x, y, w, h = spot
        if abs(x + w / 2 - cx) > 1 or abs(y + h - 3 - cy) > 1:  # moved away from its cluster: a leader line
            ly = y + h if cy > y + h else y
            labels.append(f"<line x1='{cx:.0f}' y1='{cy:.0f}' x2='{min(max(cx, x), x + w):.0f}' y2='{ly:.0f}' "
                          "stroke='#555' stroke-width='0.6'/>")
        labels.append(f"<text x='{x + w / 2:.0f}' y='{y + h - 3:.0f}' text-anchor='middle' stroke='white' "
                      f"stroke-width='3' paint-order='stroke'>{escape(text)}</text>")
    note = "" if n <= MAP_POINTS else f"<p class='muted'>Showing a sample of {MAP_POINTS:,} of {n:,} points.</p>"
    return (f"<svg viewBox='0 0 {MAP_W} {MAP_H}' width='100%' role='img' aria-label='map of records'>"
            f"<rect width='100%' height='100%' fill='#fcfcfc'/>{''.join(dots)}{''.join(labels)}</svg>{note}")


def _bar(name: str, share: float, scale: float, number: str, target: float | None = None, gap: bool = False) -> str:
    width = 0 if scale <= 0 else min(share / scale, 1) * 100
    mark = "" if target is None else f"<div class='target' style='left:{min(target / scale, 1) * 100:.1f}%'></div>"
    return (f"<div class='bar{' gap' if gap else ''}'><div class='name' title='{escape(name)}'>{escape(name)}</div>"
            f"<div class='track'><div class='fill' style='width:{width:.1f}%'></div>{mark}</div>"
            f"<div class='num'>{escape(number)}</div></div>")


def _cluster_bars(info: dict) -> str:
    clusters = info["clusters"]
    if not clusters:
        return "<p class='muted'>No clusters.</p>"
    scale = max(c["share"] for c in clusters)
    rows = [_bar(f"{c['id']}: {c['label']}", c["share"], scale, f"{c['size']:,} ({c['share']:.1%})") for c in clusters]
    return "".join(rows)


def _coverage_bars(info: dict) -> str:
    rows = info["coverage"]
    scale = max([r["share"] for r in rows] + [r["target"] or 0 for r in rows]) or 1
    out = ["<p class='muted'>Bar: share of records; black mark: target share. Red: a gap (under half the target). "
           "'To check': records whose predicted kind is uncertain (confidence under "
           f"{kind_classifier.SURE:.2f}; right about half the time on the benchmark sets).</p>"]
    for r in rows:
        name = f"{r['name_en']} / {r['name_zh']}"
        check = f", {r['unsure']:,} to check" if r.get("unsure") else ""
        out.append(_bar(name, r["share"], scale, f"{r['count']:,} ({r['share']:.1%}){check}", r["target"],
                        r["gap"]))
    return "".join(out)


def _histograms(a) -> str:
    out = []
    for name in ("instruction", "response"):
        values = a.tokens[name]
        if len(values) == 0:
            continue
        edges = np.unique(np.concatenate([[0], np.geomspace(1, max(values.max(), 2) + 1, 24).astype(int)]))
        counts, _ = np.histogram(values, bins=edges)
        top = counts.max() or 1
        w = 420 / len(counts)
        bars = "".join(f"<rect x='{i * w:.1f}' y='{120 - c / top * 110:.1f}' width='{w - 1:.1f}' height='{c / top * 110:.1f}' "
                       f"fill='#4e79a7'><title>{edges[i]}–{edges[i + 1]} tokens: {c}</title></rect>"
                       for i, c in enumerate(counts))
        out.append(f"<div style='display:inline-block;margin-right:24px'><b>{name}</b> (log bins, max "
                   f"{int(values.max()):,})<br><svg width='420' height='135'>{bars}<text x='0' y='133'>0</text>"
                   f"<text x='420' y='133' text-anchor='end'>{int(edges[-1]):,}</text></svg></div>")
    return "".join(out)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return escape(text if len(text) <= SNIPPET else text[:SNIPPET - 1] + "…")


def _flags_table(a, info: dict) -> str:
    rows = ["<table><tr><th>flag</th><th>records</th><th>what it means, and examples</th></tr>"]
    for name, meta in info["flags"].items():
        examples = [i for i, f in enumerate(a.flags) if name in f][:EXAMPLES]
        ex = "".join(f"<div class='ex'>#{i}: {_snippet(a.texts.instruction[i])} → {_snippet(a.texts.response[i])}</div>"
                     for i in examples)
        rows.append(f"<tr><td><b>{escape(name)}</b></td><td>{meta['count']:,}</td>"
                    f"<td>{escape(FLAGS[name])}{ex}</td></tr>")
    return "".join(rows) + "</table>"


EVAL_ROWS = 100


def _eval_overlap(a, info: dict) -> str:
    """The eval sets and the training records that overlap them (nothing when no eval set was given)."""
    sets = info.get("eval_sets") or []
    if not sets:
        return ""
    out = ["<h2>Eval overlap</h2><p>Eval items are drawn on the map as black crosses. "
           + " · ".join(f"<b>{escape(s['name'])}</b>: {s['items']:,} items, {s['overlapping_records']:,} overlapping "
                        f"training records ({s['by_ngram']:,} by n-gram, {s['by_embedding']:,} by embedding)"
                        for s in sets) + "</p>",
           "<table><tr><th>record</th><th>instruction</th><th>eval item</th><th>match</th></tr>"]
    hits = [(i, o) for i, o in enumerate(a.eval_overlap) if o is not None]
    for i, o in hits[:EVAL_ROWS]:
        how = f"{o['how']}: “{o['evidence']}”" if o["evidence"] else f"{o['how']} {o['similarity']:.2f}"
        out.append(f"<tr><td>#{i}</td><td>{_snippet(a.texts.instruction[i])}</td><td>{escape(o['eval_set'])} "
                   f"#{o['item']}: {_snippet(o['eval_text'])}</td><td class='ex'>{escape(how)}</td></tr>")
    more = f"<p class='muted'>… and {len(hits) - EVAL_ROWS:,} more (records.jsonl lists all).</p>" \
        if len(hits) > EVAL_ROWS else ""
    return "".join(out) + "</table>" + more


def _facts(info: dict) -> str:
    f = info["facts"]
    langs = ", ".join(f"{escape(k)} {v:,}" for k, v in f["languages"].items())
    return (f"<p>Multi-turn: {f['multi_turn_share']:.1%} · few-shot: {f['few_shot_share']:.1%} · "
            f"instruction languages: {langs}</p>")
