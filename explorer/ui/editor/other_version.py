"""What the record editor shows beside a record: its version in the compared file (B), with the words B changed
marked, and the eval item it overlaps. HTML built here; every text from a dataset is escaped."""

from __future__ import annotations

from html import escape
from pathlib import Path

from explorer.core.compare.diff_report import short_ops

CONTEXT = 300


def other_version_html(workspace, rid: int) -> str:
    """'' when there is nothing to show (no comparison, no eval overlap)."""
    parts = []
    overlap = workspace.analysis.eval_overlap[rid] if workspace.analysis is not None and \
        workspace.analysis.eval_overlap else None
    if overlap is not None:
        how = f"{overlap['how']}: “{overlap['evidence']}”" if overlap["evidence"] else \
            f"embedding similarity {overlap['similarity']:.2f}"
        parts.append(f"<p><b style='color:#c0392b'>Overlaps eval item</b> {escape(overlap['eval_set'])} "
                     f"#{overlap['item']} ({escape(how)}):<br><i>{escape(overlap['eval_text'])}</i></p>")
    status, fields = workspace.other_version(rid)
    if status:
        name = escape(Path(workspace.comparison.b.path).name)
        if status == "edited":
            j = workspace.comparison.other(rid)
            parts.append(f"<p><b style='color:#d35400'>Edited in {name}</b> (record {j}); removed words struck out, "
                         "added ones green:</p>")
            for f in fields:
                body = "".join(escape(t) if op == "=" else
                               f"<span style='background:#fdd;color:#900;text-decoration:line-through'>{escape(t)}"
                               "</span>" if op == "-" else
                               f"<span style='background:#dfd;color:#060'>{escape(t)}</span>"
                               for op, t in short_ops(f.ops, CONTEXT))
                parts.append(f"<p><b>{escape(f.field)}</b><br>{body.replace(chr(10), '<br>')}</p>")
        elif status == "removed":
            parts.append(f"<p><b style='color:#c0392b'>Removed in {name}</b>: B has no version of this record.</p>")
        else:
            j = workspace.comparison.other(rid)
            parts.append(f"<p style='color:#777'>Unchanged in {name} (record {j}).</p>")
    return "".join(parts)
