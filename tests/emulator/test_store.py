"""The SQLite store: durability settings, atomic transactions, schema versions, after-commit hooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from realtimekit_mcp.emulator.store import SCHEMA_VERSION, Store


def test_file_store_uses_wal_and_full_sync(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "s.db"))
    assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_failed_transaction_leaves_nothing_behind() -> None:
    store = Store()
    with pytest.raises(ValueError), store.transaction():
        store.put("meeting", {"id": "a"}, app_id="x")
        with store.transaction():  # nested: one outer transaction
            store.put("meeting", {"id": "b"}, app_id="x")
        raise ValueError("boom")
    assert store.list("meeting") == []
    with store.transaction():
        store.put("meeting", {"id": "a"}, app_id="x")
    assert [d["id"] for d in store.list("meeting")] == ["a"]


def test_documents_keep_insertion_order_and_scope(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    store = Store(path)
    store.put("peer", {"id": "p2"}, app_id="a", parent="s1")
    store.put("peer", {"id": "p1"}, app_id="a", parent="s1")
    store.put("peer", {"id": "p3"}, app_id="b", parent="s2")
    store.put("peer", {"id": "p2", "v": 2}, app_id="a", parent="s1")  # update keeps its place
    store.close()
    reopened = Store(path)
    assert [d["id"] for d in reopened.list("peer", parent="s1")] == ["p2", "p1"]
    assert reopened.get("peer", "p2") == {"id": "p2", "v": 2}
    assert reopened.get("peer", "p3", app_id="a") is None
    reopened.put("peer", {"id": "p4"}, app_id="a", parent="s1")
    assert [d["id"] for d in reopened.list("peer", app_id="a")] == ["p2", "p1", "p4"]
    assert reopened.count("peer", app_id="a") == 3 and reopened.kinds() == ["peer"]


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    store = Store(path)
    store.set_meta("schema_version", str(SCHEMA_VERSION + 1))
    store.close()
    with pytest.raises(RuntimeError, match="schema version"):
        Store(path)


def test_after_commit_runs_after_the_outermost_commit_only() -> None:
    store = Store()
    ran: list[str] = []
    store.after_commit(lambda: ran.append("now"))
    assert ran == ["now"]
    with store.transaction():
        with store.transaction():
            store.after_commit(lambda: ran.append("inner"))
        assert ran == ["now"]
    assert ran == ["now", "inner"]


def test_a_new_data_file_is_private_to_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "secret.db"
    store = Store(str(path))
    store.put("meeting", {"id": "a"}, app_id="x")
    assert path.stat().st_mode & 0o777 == 0o600
    wal = Path(str(path) + "-wal")
    if wal.exists():
        assert wal.stat().st_mode & 0o077 == 0
