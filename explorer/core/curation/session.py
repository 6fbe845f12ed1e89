"""The session store: an SQLite journal (WAL, synchronous=FULL) of every edit, replayed on open.

Each edit is written and committed before `apply` returns, so after a crash or kill -9 every edit that was
reported done comes back, in order, and none that was not. Undo and redo are journaled too (as the edits
they apply), so the undo history survives a restart as well. An edit the app makes on its own (carrying cluster
names to new clusters) is journaled as "auto": undoable like any other, but it keeps the redo history.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from explorer.core.curation.edits import CurationState, Edit, edit_from_json
from explorer.core.curation.fields import EditError
from explorer.core.curation.locking import SessionLock
from explorer.core.dataset import Dataset
from explorer.core.errors import DatasetError
from explorer.core.paths import user_dir

HISTORY_LIMIT = 10_000


def source_fingerprint(path: str | Path) -> str:
    """sha256 of a file's bytes (of every file's bytes, in name order, for a folder)."""
    p = Path(path)
    digest = hashlib.sha256()
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    for f in files:
        if p.is_dir():
            digest.update(str(f.relative_to(p)).encode("utf-8") + b"\0")
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def record_hash(dataset: Dataset, rid: int) -> str:
    """A short hash of a record's content as the source holds it."""
    obj = dataset.source_object(rid)
    return hashlib.blake2b(orjson.dumps(obj, option=orjson.OPT_SORT_KEYS), digest_size=8).hexdigest()


def default_session_path(dataset_path: str | Path) -> Path:
    key = hashlib.sha1(str(Path(dataset_path).resolve()).encode("utf-8")).hexdigest()[:16]
    return user_dir("data") / "sessions" / f"{Path(dataset_path).name}-{key}.sqlite"


def sessions_that_set_kind(kind: str, but: Path | None = None) -> list[Path]:
    """Sessions in the default folder, other than `but`, whose journal ever set records to `kind` (read only; one
    that cannot be read counts as one that did, so a caller keeping the kind for them stays safe)."""
    folder = user_dir("data") / "sessions"
    needle = "%" + json.dumps({"kind": kind})[1:-1] + "%"  # '"kind": "recipes"', as the journal writes it
    found = []
    for path in sorted(folder.glob("*.sqlite")) if folder.exists() else []:
        if but is not None and path.resolve() == Path(but).resolve():
            continue
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
            try:
                hit = db.execute("SELECT 1 FROM journal WHERE edit LIKE ? LIMIT 1", (needle,)).fetchone()
            finally:
                db.close()
        except sqlite3.Error:
            hit = True
        if hit:
            found.append(path)
    return found


@dataclass
class ReplayReport:
    edits: int = 0
    source_changed: bool = False
    skipped: list[tuple[int, str]] = field(default_factory=list)
    """(journal sequence number, reason) for edits that no longer apply to the changed source."""


class Session:
    """One dataset's edits: current state, undo/redo history and the durable journal behind them."""

    def __init__(self, dataset: Dataset, path: str | Path | None = None, fingerprint: str | None = None,
                 read_only: bool = False):
        """`fingerprint`: the source's `source_fingerprint` when the caller has it already (say, taken off the GUI
        thread); otherwise it is taken here. `read_only`: only read the journal (an existing one), without taking
        the lock, so a command can read what the user did while the app has the dataset open."""
        self.dataset = dataset
        self.path = Path(path) if path else default_session_path(dataset.path)
        self.read_only = read_only
        self._lock = None
        try:
            if read_only:
                self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=5,
                                           isolation_level=None)
                self._db.execute("SELECT COUNT(*) FROM journal")
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._lock = SessionLock(self.path.with_name(self.path.name + ".lock"))
                self._db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.executescript("""
                    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
                    CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, ts REAL, action TEXT, label TEXT,
                                                        edit TEXT, hashes TEXT);
                """)
        except sqlite3.Error as e:
            if self._lock is not None:
                self._lock.release()
            raise DatasetError(f"cannot open the session store: {e}", str(self.path)) from None
        self.state = CurationState()
        self.undo_stack: list[tuple[Edit, Edit]] = []
        self.redo_stack: list[tuple[Edit, Edit]] = []
        self._settled: list[Edit] = []
        """Edits that fell off the bottom of the undo history (`HISTORY_LIMIT`): no longer undoable, still done."""
        self.replay = self._open(fingerprint or source_fingerprint(dataset.path))

    # -- opening ----------------------------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _open(self, fingerprint: str) -> ReplayReport:
        stored = self._meta("source_hash")
        report = ReplayReport(source_changed=stored is not None and stored != fingerprint)
        if stored is None and not self.read_only:
            self._set_meta("source_path", str(Path(self.dataset.path).resolve()))
            self._set_meta("source_hash", fingerprint)
            self._set_meta("created", str(time.time()))
        # Whether each edit on the undo (`done`) and redo (`undone`) side was replayed: an undo or redo of an edit
        # that was skipped is skipped too, and leaves the history of the replayed edits as it is.
        done: list[bool] = []
        undone: list[bool] = []
        for seq, action, text, hashes in self._db.execute("SELECT seq, action, edit, hashes FROM journal ORDER BY seq"):
            edit = edit_from_json(json.loads(text))
            if action == "do":
                undone.clear()
                self.redo_stack.clear()
            target = done if action == "undo" else undone if action == "redo" else None
            if target is not None:
                if not target:
                    report.skipped.append((seq, f"nothing to {action}"))
                    continue
                if not target[-1]:
                    (undone if action == "undo" else done).append(target.pop())
                    report.skipped.append((seq, f"it would {action} an edit that was skipped"))
                    continue
            reason = self._mismatch(json.loads(hashes or "{}")) if report.source_changed else None
            inverse = None
            if reason is None:
                try:
                    inverse = edit.apply(self.state, self.dataset)
                except EditError as e:
                    reason = str(e)
            if reason is not None:
                report.skipped.append((seq, reason))
                if target is None:
                    done.append(False)
                continue  # a failed undo or redo leaves its edit where it was
            (undone if action == "undo" else done).append(target.pop() if target is not None else True)
            self._track(seq, edit)
            self._history(action, edit, inverse)
            report.edits += 1
        return report

    def _mismatch(self, hashes: dict) -> str | None:
        for rid, expected in hashes.items():
            rid = int(rid)
            if rid >= len(self.dataset) or record_hash(self.dataset, rid) != expected:
                return f"record {rid} changed in the source file"
        return None

    def _history(self, action: str, edit: Edit, inverse: Edit) -> None:
        if action in ("do", "auto"):
            self.undo_stack.append((edit, inverse))
            if len(self.undo_stack) > HISTORY_LIMIT:
                self._settled.extend(done for done, _ in self.undo_stack[:-HISTORY_LIMIT])
                del self.undo_stack[:-HISTORY_LIMIT]
            if action == "do":
                self.redo_stack.clear()
        elif action == "undo" and self.undo_stack:
            self.redo_stack.append(self.undo_stack.pop())
        elif action == "redo" and self.redo_stack:
            redone, _ = self.redo_stack.pop()
            self.undo_stack.append((redone, inverse))

    def _track(self, seq: int, edit: Edit) -> None:
        for rid in edit.ids():
            self.state.changed_at[rid] = seq

    # -- changing ---------------------------------------------------------------------------------
    def _commit(self, action: str, edit: Edit, inverse: Edit, hashes: dict) -> int:
        text = json.dumps(edit.to_json(), ensure_ascii=False)
        try:
            cur = self._db.execute("INSERT INTO journal (ts, action, label, edit, hashes) VALUES (?, ?, ?, ?, ?)",
                                   (time.time(), action, edit.label, text, json.dumps(hashes)))
        except sqlite3.Error as e:
            inverse.apply(self.state, self.dataset)  # not durable, so not done
            raise DatasetError(f"could not save the edit ({e}); nothing was changed", str(self.path)) from None
        return int(cur.lastrowid)

    def apply(self, edit: Edit, by_user: bool = True) -> int:
        """Apply an edit and commit it durably; return its journal sequence number. An edit not `by_user` (the app's
        own bookkeeping) is undoable too but keeps what the user can redo."""
        inverse = edit.apply(self.state, self.dataset)  # validates ids before anything is hashed or written
        ids = edit.ids()
        hashes = {str(rid): record_hash(self.dataset, rid) for rid in ids} if len(ids) <= 5000 else {}
        action = "do" if by_user else "auto"
        seq = self._commit(action, edit, inverse, hashes)
        self._track(seq, edit)
        self._history(action, edit, inverse)
        return seq

    def undo(self) -> Edit | None:
        """Undo the last edit (durably); return the edit undone, or None when there is nothing to undo."""
        if not self.undo_stack:
            return None
        edit, inverse = self.undo_stack[-1]
        again = inverse.apply(self.state, self.dataset)
        self._track(self._commit("undo", inverse, again, {}), inverse)
        self._history("undo", inverse, again)
        return edit

    def redo(self) -> Edit | None:
        if not self.redo_stack:
            return None
        edit, _ = self.redo_stack[-1]
        inverse = edit.apply(self.state, self.dataset)
        self._track(self._commit("redo", edit, inverse, {}), edit)
        self._history("redo", edit, inverse)
        return edit

    @property
    def undo_label(self) -> str | None:
        return f"Undo: {self.undo_stack[-1][0].label}" if self.undo_stack else None

    @property
    def redo_label(self) -> str | None:
        return f"Redo: {self.redo_stack[-1][0].label}" if self.redo_stack else None

    # -- reading ----------------------------------------------------------------------------------
    def edit_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM journal").fetchone()[0])

    def last_change(self) -> float | None:
        row = self._db.execute("SELECT MAX(ts) FROM journal").fetchone()
        return row[0]

    def record_history(self, rid: int) -> list[dict]:
        """Every journaled change that touched record `rid`: sequence, time, action and label."""
        out = []
        for seq, ts, action, label, text in self._db.execute(
                "SELECT seq, ts, action, label, edit FROM journal ORDER BY seq"):
            if rid in edit_from_json(json.loads(text)).ids():
                out.append({"seq": seq, "time": ts, "action": action, "label": label})
        return out

    def effective_edits(self) -> list[Edit]:
        """The edits that make the current state, oldest first (undone edits left out; those beyond the undo
        history's limit included)."""
        return self._settled + [edit for edit, _ in self.undo_stack]

    def summary(self) -> dict:
        return {"session": str(self.path), "edits": self.edit_count(), "deleted": len(self.state.deleted),
                "edited_records": len(self.state.objects), "tags": self.state.tag_counts(),
                "cluster_names": {str(k): v for k, v in self.state.cluster_names.items()},
                "last_change": self.last_change(), "source_changed": self.replay.source_changed,
                "skipped_on_open": [{"seq": s, "reason": r} for s, r in self.replay.skipped]}

    def added_kinds(self) -> dict[str, dict]:
        """Task kinds the user added from records of this dataset ({id: its taxonomy entry}), kept with the journal
        so that undoing a kind's creation takes it out of the taxonomy after a restart too."""
        text = self._meta("added_kinds")
        return json.loads(text) if text else {}

    def remember_added_kind(self, entry: dict) -> None:
        self._set_meta("added_kinds", json.dumps({**self.added_kinds(), entry["id"]: entry}, ensure_ascii=False))

    def discard(self) -> None:
        """Forget every edit (the source file is untouched)."""
        self._db.execute("DELETE FROM journal")
        self._set_meta("source_hash", source_fingerprint(self.dataset.path))
        self.state = CurationState()
        self.undo_stack.clear()
        self.redo_stack.clear()
        self._settled.clear()

    def close(self) -> None:
        self._db.close()
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
