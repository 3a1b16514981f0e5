"""The SQLite store: records go in and come back unchanged, re-saves replace, history grows."""
from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest

from extractor import store
from extractor.models import Claim, Fact, Kind, Period, Speaker, Statement, Status, Unit

FIXTURES = Path(__file__).parent / "fixtures" / "report"
Q2, Q3 = "hmgi-2024-08-01.txt", "hmgi-2024-11-05.txt"


def run_records() -> list[dict]:
    with open(FIXTURES / "run.jsonl", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def of_release(records: list[dict], doc: str) -> list[dict]:
    """A run over one release: its header and own records, as a single-file run writes them."""
    return [record for record in records if record.get("doc") == doc]


def saved_and_reloaded(path: Path, *batches: list[dict], issuer=None) -> list[dict]:
    with closing(store.open_store(path)) as conn:
        for batch in batches:
            store.save_records(conn, batch)
    with closing(store.open_store(path)) as conn:
        return store.load_records(conn, issuer)


def count(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_a_run_comes_back_exactly_as_saved(tmp_path):
    records = run_records()
    assert saved_and_reloaded(tmp_path / "store.sqlite", records) == records


def test_figures_are_stored_as_exact_decimal_text(tmp_path):
    path = tmp_path / "store.sqlite"
    saved_and_reloaded(path, run_records())
    with closing(sqlite3.connect(path)) as conn:
        ratio = conn.execute("SELECT value FROM claims WHERE text = 'two-thirds'").fetchone()
        revenue = conn.execute("SELECT value, table_value, delta FROM claims "
                               "WHERE status = 'mismatch'").fetchone()
    assert ratio == ("0.6667",)
    assert revenue == ("14000000", "13702000", "298000")


def test_models_records_and_decimal_inputs_round_trip(tmp_path):
    period = Period.months_ending(dt.date(2004, 9, 30), 3)
    claim = Claim(doc="x.txt", start=11, end=23, text="$3.9 million",
                  sentence="Sales were $3.9 million.",
                  metric="revenue", label="revenue", kind=Kind.AMOUNT, value=Decimal("3900000"),
                  unit=Unit.USD, qualifier=None, period=period, base_period=None, segment=None,
                  speaker=Speaker("Karen Clark", "CFO"), rule="r", status=Status.MATCH,
                  table_value=Decimal("3925000"), delta=Decimal("-25000"))
    fact = Fact(doc="x.txt", statement=Statement.OPERATIONS, caption="", label="Revenues",
                line="revenues", period=period, column="2004", value=Decimal("3925000"),
                printed="3,925,000", unit=Unit.USD, start=900, end=909, line_no=40)
    records = [claim.to_dict(), fact.to_dict()]
    assert saved_and_reloaded(tmp_path / "a.sqlite", records) == records

    # A JSONL read with parse_float=Decimal keeps every digit, trailing zeros included.
    exact = dict(claim.to_dict(), value=Decimal("3900000.50"), table_value=Decimal("0.6667"))
    path = tmp_path / "b.sqlite"
    saved_and_reloaded(path, [exact])
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT value, table_value FROM claims").fetchone() == (
            "3900000.50", "0.6667")


def test_saving_the_same_release_twice_does_not_duplicate(tmp_path):
    path = tmp_path / "store.sqlite"
    records = run_records()
    once = saved_and_reloaded(path, records)
    counts = {table: count(path, table) for table in ("releases", "claims", "facts", "quotes",
                                                       "checks", "restatements", "errors")}
    twice = saved_and_reloaded(path, records)
    assert twice == once
    assert {table: count(path, table) for table in counts} == counts
    assert counts["releases"] == 2 and counts["claims"] == 15


def test_a_changed_rerun_replaces_the_release_rows(tmp_path):
    path = tmp_path / "store.sqlite"
    records = of_release(run_records(), Q2)
    without_backlog = [record for record in records if record.get("metric") != "backlog"]
    reloaded = saved_and_reloaded(path, records, without_backlog)
    assert reloaded == without_backlog
    assert count(path, "claims") == 7


def test_a_second_release_of_the_issuer_adds_to_history(tmp_path):
    path = tmp_path / "store.sqlite"
    records = run_records()
    q3_first = saved_and_reloaded(path, of_release(records, Q3), of_release(records, Q2),
                                  issuer="hmgi")
    headers = [record["doc"] for record in q3_first if record["type"] == "release"]
    assert headers == [Q2, Q3]  # by release date, whatever order they were saved in
    assert q3_first == of_release(records, Q2) + of_release(records, Q3)

    q3_sha = next(record["sha256"] for record in records if record.get("doc") == Q3)
    with closing(store.open_store(path)) as conn:
        history = store.issuer_facts(conn, "HMGI")
        earlier = store.issuer_facts(conn, "Harbor Microgrid, Inc.", exclude=[q3_sha])
        other = store.issuer_facts(conn, "CPST")
    assert [fact["doc"] for fact in history] == [Q2] * 10 + [Q3] * 10
    assert history[:10] == [record for record in of_release(records, Q2) if record["type"] == "fact"]
    assert {fact["doc"] for fact in earlier} == {Q2}
    assert other == []


def test_facts_can_be_queried_by_line_and_period_with_plain_sql(tmp_path):
    path = tmp_path / "store.sqlite"
    saved_and_reloaded(path, run_records())
    query = ("SELECT f.doc, f.value FROM facts f JOIN releases r ON r.sha256 = f.release_sha "
             "WHERE f.issuer_key = ? AND f.line = ? AND f.period_instant = ? ORDER BY r.date")
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(query, ("HMGI", "total current liabilities", "2023-12-31")).fetchall()
        plan = " ".join(str(row) for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT value FROM facts WHERE issuer_key = 'HMGI' "
            "AND line = 'revenue' AND period_end = '2024-09-30'"))
    assert rows == [(Q2, "18204000"), (Q3, "18420000")]
    assert "facts_by_line" in plan


def test_records_without_release_headers_are_kept(tmp_path):
    path = tmp_path / "store.sqlite"
    bare = [record for record in of_release(run_records(), Q2) if record["type"] != "release"]
    assert saved_and_reloaded(path, bare) == bare
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT sha256, synthetic FROM releases").fetchall() == [
            (f"doc:{Q2}", 1)]


def test_an_error_is_replaced_by_a_later_success_of_its_path(tmp_path):
    path = tmp_path / "store.sqlite"
    header = of_release(run_records(), Q2)[0]
    failure = {"type": "error", "path": header["path"], "stage": "read", "message": "OSError: gone"}
    assert saved_and_reloaded(path, [failure], [failure]) == [failure]
    assert saved_and_reloaded(path, [header]) == [header]


def test_schema_is_versioned_and_documented(tmp_path):
    path = tmp_path / "store.sqlite"
    with closing(store.open_store(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (store.SCHEMA_VERSION,)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"releases", "claims", "quotes", "facts", "checks", "restatements",
                      "corroborations", "errors"}
    columns = set(re.findall(r"^    (\w+) [A-Z]", store.schema_sql(), re.M)) - {"PRIMARY"}
    undocumented = {column for column in columns if column not in store.__doc__}
    assert not undocumented


def test_a_store_of_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "store.sqlite"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    with pytest.raises(ValueError, match="newer"):
        store.open_store(path)
