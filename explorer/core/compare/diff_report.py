"""Text and HTML renderings of a version comparison (`VersionDiff.to_json`): counts, shifts per task kind and
per cluster, and the edited records with their word diffs. Everything from the datasets is escaped."""

from __future__ import annotations

from html import escape

from explorer.core.analysis.html_report import CSS

CONTEXT = 40
"""Characters of unchanged text kept on each side of a change when a diff is shortened."""
SHIFT_ROWS = 15
REPORT_EDITS = 500
"""Edited records the HTML report shows with their word diffs (--json lists all)."""

DIFF_CSS = """
del{background:#fdd;color:#900;text-decoration:line-through}ins{background:#dfd;color:#060;text-decoration:none}
.shift{display:flex;align-items:center;gap:8px;margin:2px 0}.shift .name{width:260px;overflow:hidden;
white-space:nowrap;text-overflow:ellipsis}.shift .axis{flex:1;position:relative;height:14px;background:#f6f6f6}
.shift .up{position:absolute;left:50%;height:14px;background:#59a14f}.shift .down{position:absolute;right:50%;
height:14px;background:#e15759}.edit{border-top:1px solid #eee;padding:6px 0}.field{color:#555;font-size:12px}
.text{white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:12px}
"""


def short_ops(ops: list, context: int = CONTEXT) -> list:
    """The diff with long unchanged runs cut to `context` characters around the changes."""
    out = []
    for k, (op, text) in enumerate(ops):
        if op == "=" and len(text) > 2 * context + 5:
            head = text[:context] if k > 0 else ""
            tail = text[-context:] if k < len(ops) - 1 else ""
            text = f"{head}…{tail}"
        out.append((op, text))
    return out


def plain_diff(ops: list) -> str:
    """One line, git's plain word-diff notation: [-removed-]{+added+}."""
    marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
    return " ".join("".join(marks[op].format(text) for op, text in short_ops(ops)).split())


def text_lines(report: dict, edits_shown: int = 20) -> list[str]:
    """The comparison as terminal lines."""
    a, b, c = report["a"], report["b"], report["counts"]
    paired = ", ".join(f"{k} {v:,}" for k, v in report["paired_by"].items() if v)
    lines = [f"A  {a['path']}  ({a['records']:,} records)", f"B  {b['path']}  ({b['records']:,} records)",
             f"unchanged {c['unchanged']:,} · edited {c['edited']:,} · removed {c['removed']:,} · "
             f"added {c['added']:,}" + (f"   (paired by {paired})" if paired else "")]
    for title, rows, name in (("Task kinds", report.get("kind_shift"), "group"),
                              ("Clusters", report.get("cluster_shift"), "label")):
        if rows is None:
            continue
        moved = [r for r in rows if r["a"] != r["b"]][:SHIFT_ROWS]
        lines.append(f"{title} (share in A → B; largest shifts first):" if moved else f"{title}: no change in shares")
        for r in moved:
            lines.append(f"  {str(r[name])[:38]:<38} {r['a_share']:>6.1%} → {r['b_share']:>6.1%}  "
                         f"{r['shift'] * 100:+5.1f} pts  ({r['a']:,} → {r['b']:,})")
    if report.get("kind_shift") is None:
        lines.append("Task-kind and cluster shifts need A's analysis: add --analysis DIR (from `sft-explorer analyze`)")
    edited = report["edited"][:edits_shown]
    total = c["edited"]
    if edited:
        lines.append(f"Edited records (first {len(edited)} of {total:,}; --json lists them all):")
    for e in edited:
        how = f"nearest {e['similarity']:.2f}" if e["how"] == "nearest" else e["how"]
        lines.append(f"  A #{e['a']} → B #{e['b']}  (paired by {how})")
        for f in e["fields"]:
            lines.append(f"    {f['field']}: {plain_diff(f['ops'])[:300]}")
    return lines


def render_diff_html(report: dict, edits_shown: int = REPORT_EDITS) -> str:
    """A self-contained page of the comparison."""
    a, b, c = report["a"], report["b"], report["counts"]
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>SFT Explorer: compare versions</title>"
             f"<style>{CSS}{DIFF_CSS}</style></head><body><h1>Compare versions</h1>",
             f"<p>A <b>{escape(a['path'])}</b> ({a['records']:,} records)<br>B <b>{escape(b['path'])}</b> "
             f"({b['records']:,} records)</p>",
             "<table><tr>" + "".join(f"<th>{k}</th>" for k in c) + "</tr><tr>" +
             "".join(f"<td>{v:,}</td>" for v in c.values()) + "</tr></table>"]
    for title, rows, name in (("Task kinds", report.get("kind_shift"), "group"),
                              ("Clusters (B placed on A's map)", report.get("cluster_shift"), "label")):
        parts.append(f"<h2>{title}: share in A → B</h2>")
        if rows is None:
            parts.append("<p class='muted'>Needs A's analysis (<code>--analysis DIR</code>).</p>")
            continue
        top = max((abs(r["shift"]) for r in rows), default=0) or 1
        for r in rows[:SHIFT_ROWS * 2]:
            width = 50 * abs(r["shift"]) / top
            bar = f"<div class='{'up' if r['shift'] > 0 else 'down'}' style='width:{width:.1f}%'></div>"
            parts.append(f"<div class='shift'><span class='name'>{escape(str(r[name]))}</span>"
                         f"<span class='axis'>{bar}</span><span class='num'>{r['a_share']:.1%} → {r['b_share']:.1%}"
                         f"</span><span class='num'>{r['shift'] * 100:+.1f} pts</span></div>")
    parts.append(f"<h2>Edited records ({c['edited']:,})</h2>")
    for e in report["edited"][:edits_shown]:
        parts.append(f"<div class='edit'><b>A #{e['a']} → B #{e['b']}</b> <span class='muted'>paired by "
                     f"{escape(e['how'])}</span>")
        for f in e["fields"]:
            body = "".join(escape(t) if op == "=" else f"<{'del' if op == '-' else 'ins'}>{escape(t)}"
                           f"</{'del' if op == '-' else 'ins'}>" for op, t in short_ops(f["ops"], 200))
            parts.append(f"<div class='field'>{escape(f['field'])}</div><div class='text'>{body}</div>")
        parts.append("</div>")
    if c["edited"] > edits_shown:
        parts.append(f"<p class='muted'>… and {c['edited'] - edits_shown:,} more (<code>--json</code> lists all).</p>")
    parts.append(f"<h2>Removed ({c['removed']:,}) and added ({c['added']:,})</h2><p class='muted'>Record ids: "
                 f"removed from A {escape(_ids(report['removed']))}; added in B {escape(_ids(report['added']))}.</p>")
    return "\n".join(parts) + "</body></html>"


def _ids(ids: list[int], shown: int = 50) -> str:
    text = ", ".join(f"#{i}" for i in ids[:shown])
    return text + (f" … ({len(ids) - shown:,} more)" if len(ids) > shown else "") if ids else "none"
