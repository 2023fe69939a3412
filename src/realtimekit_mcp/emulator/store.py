"""SQLite persistence for the emulator: JSON documents per kind, plus a small key/value table.

One connection, guarded by one re-entrant lock, used from whichever thread calls it (the calls are
short). The database runs in WAL mode with ``synchronous=FULL`` and every write is committed before
the call returns, so an answer the HTTP layer sends after a write survives a SIGKILL of the process.
"""

from __future__ import annotations

import builtins
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    parent TEXT,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS docs_by_app ON docs (kind, app_id, seq);
CREATE INDEX IF NOT EXISTS docs_by_parent ON docs (kind, parent, seq);
"""

Doc = dict[str, Any]


class Store:
    """Documents keyed by (kind, id), each owned by an app and optionally by a parent id."""

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._after_commit: list[Callable[[], None]] = []
        if path != ":memory:" and not path.startswith("file:") and not os.path.exists(path):
            # The file holds the API token and signing secrets: owner-only from the start
            # (SQLite gives its -wal/-shm files the same mode).
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        with self._lock:
            if path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(_SCHEMA)
            row = self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM docs").fetchone()
            self._seq = int(row[0])
            version = self.get_meta("schema_version")
            if version is None:
                self.set_meta("schema_version", str(SCHEMA_VERSION))
            elif int(version) > SCHEMA_VERSION:
                raise RuntimeError(
                    f"emulator database {path!r} has schema version {version}; "
                    f"this emulator understands up to {SCHEMA_VERSION}"
                )

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes into one atomic, durable transaction (re-entrant)."""
        with self._lock:
            if self._depth == 0:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._after_commit.clear()
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._conn.execute("COMMIT")
                callbacks, self._after_commit = self._after_commit, []
                for callback in callbacks:
                    callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the current transaction commits (now when there is none; never on rollback)."""
        with self._lock:
            if self._depth == 0:
                callback()
            else:
                self._after_commit.append(callback)

    # -- key/value -------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A value of the key/value table, or None."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the key/value table."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- documents -------------------------------------------------------------------------------
    def put(self, kind: str, doc: Doc, *, app_id: str, parent: str | None = None) -> Doc:
        """Insert or replace a document (its ``id`` key is the id); keeps the insertion order."""
        doc_id = str(doc["id"])
        data = json.dumps(doc, separators=(",", ":"))
        with self._lock:
            row = self._conn.execute(
                "SELECT seq FROM docs WHERE kind = ? AND id = ?", (kind, doc_id)
            ).fetchone()
            if row is None:
                self._seq += 1
                self._conn.execute(
                    "INSERT INTO docs (kind, id, app_id, parent, seq, data) VALUES (?, ?, ?, ?, ?, ?)",
                    (kind, doc_id, app_id, parent, self._seq, data),
                )
            else:
                self._conn.execute(
                    "UPDATE docs SET data = ?, app_id = ?, parent = ? WHERE kind = ? AND id = ?",
                    (data, app_id, parent, kind, doc_id),
                )
        return doc

    def get(self, kind: str, doc_id: str, *, app_id: str | None = None) -> Doc | None:
        """One document, or None (also None when it belongs to another app)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT data, app_id FROM docs WHERE kind = ? AND id = ?", (kind, doc_id)
            ).fetchone()
        if row is None or (app_id is not None and row[1] != app_id):
            return None
        result: Doc = json.loads(row[0])
        return result

    def delete(self, kind: str, doc_id: str) -> None:
        """Remove a document (no error when absent)."""
        with self._lock:
            self._conn.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, doc_id))

    def list(self, kind: str, *, app_id: str | None = None, parent: str | None = None) -> list[Doc]:
        """Documents of a kind in insertion order, optionally of one app and/or one parent."""
        sql = "SELECT data FROM docs WHERE kind = ?"
        args: list[Any] = [kind]
        if app_id is not None:
            sql += " AND app_id = ?"
            args.append(app_id)
        if parent is not None:
            sql += " AND parent = ?"
            args.append(parent)
        sql += " ORDER BY seq"
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [json.loads(row[0]) for row in rows]

    def count(self, kind: str, *, app_id: str | None = None) -> int:
        """How many documents of a kind there are."""
        sql = "SELECT COUNT(*) FROM docs WHERE kind = ?"
        args: list[Any] = [kind]
        if app_id is not None:
            sql += " AND app_id = ?"
            args.append(app_id)
        with self._lock:
            row = self._conn.execute(sql, args).fetchone()
        return int(row[0])

    def kinds(self) -> builtins.list[str]:
        """Every kind that has at least one document."""
        with self._lock:
            rows = self._conn.execute("SELECT DISTINCT kind FROM docs ORDER BY kind").fetchall()
        return [str(row[0]) for row in rows]

    def clear_docs(self) -> None:
        """Delete every document (the key/value table stays)."""
        with self._lock:
            self._conn.execute("DELETE FROM docs")
