"""The embedded store: one SQLite file holding every run, so later runs and users see history.

A run's JSONL records (dicts, as `to_dict()` writes them) go in with `save_records` and come
back, same shape and order, with `load_records`; any SQLite client can query the tables.
Figures are TEXT holding the exact decimal ("3925000", "0.6667"): compare them numerically with
`CAST(value AS REAL)`, read them exactly with Python's Decimal.

Tables (schema version 1, `PRAGMA user_version`; `schema_sql()` gives the DDL):

releases        one row per release, keyed by the SHA-256 of its file: sha256, doc, issuer,
                ticker, exchange, issuer_key (ticker, else issuer name, else doc, upper case),
                date, path, encoding, synthetic (1 when the run wrote no release header and
                the key is "doc:<doc name>"), extra (JSON of header keys not listed),
                loaded_at (UTC time of the save)
claims          release_sha, seq (order within the release), doc, issuer_key, start_offset,
                end_offset, text, sentence, metric, label, kind, value, unit, qualifier,
                period_start, period_end, period_instant, base_start, base_end, base_instant,
                segment, speaker_name, speaker_role, rule, value_high, status, table_value,
                delta, evidence (JSON: formula, operands, cross_release), restated_value, extra
quotes          release_sha, seq, doc, start_offset, end_offset, text, speaker_name,
                speaker_role, extra
facts           release_sha, seq, doc, issuer_key, statement, caption, label, line,
                period_start, period_end, period_instant, column_header, value, printed, unit,
                start_offset, end_offset, line_no, exhibit, extra
checks          release_sha, seq, doc, check_name, statement, period_start, period_end,
                period_instant, expected, actual, ok (0/1), lines (JSON list), extra
restatements    release_sha (the restating release of the run), seq, issuer, line, statement,
                period_start, period_end, period_instant, first_doc, first_value, later_doc,
                later_value, extra
corroborations  release_sha (the latest release of the run among its claims), seq, metric,
                period_start, period_end, period_instant, unit, agree (0/1), claims (JSON), extra
errors          path, seq, stage, message, run_at

Offsets are `start_offset`/`end_offset` (END is an SQL keyword). Saving a release again (same
SHA-256) replaces its rows in one transaction; an error record replaces the errors of its path.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence, Union

SCHEMA_VERSION = 1
SYNTHETIC_PREFIX = "doc:"


# ---------------------------------------------------------------------------------------------
# Exact numbers


def as_decimal(value: Any) -> Optional[Decimal]:
    """The exact decimal a JSON figure stands for: 0.6667 (a float read from JSONL) is 0.6667."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def decimal_text(value: Any) -> Optional[str]:
    """A figure as exact decimal TEXT; a non-number is kept as given so nothing is lost."""
    number = as_decimal(value)
    if number is None:
        return None if value is None else str(value)
    return format(number, "f")


def json_number(text: Optional[str]) -> Any:
    """The JSON form `to_dict()` gives a Decimal: an int when integral, else the shortest float."""
    number = as_decimal(text)
    if number is None or not number.is_finite():
        return text
    if number == number.to_integral_value():
        return int(number)
    return float(format(number.normalize(), "f"))


def jsonable(value: Any) -> Any:
    """Nested Decimals in their `to_dict()` JSON form, so json.dumps writes them exactly."""
    if isinstance(value, Decimal):
        return json_number(format(value, "f"))
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    return value


# ---------------------------------------------------------------------------------------------
# Record keys <-> columns


class Codec(str, Enum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOL = "bool"
    JSON = "json"
    PERIOD = "period"
    SPEAKER = "speaker"


@dataclass(frozen=True)
class Field:
    """One key of a record dict and the column(s) that hold it."""

    key: str
    codec: Codec = Codec.TEXT
    name: str = ""

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        base = self.name or self.key
        if self.codec is Codec.PERIOD:
            return tuple((f"{base}_{part}", "TEXT") for part in ("start", "end", "instant"))
        if self.codec is Codec.SPEAKER:
            return (("speaker_name", "TEXT"), ("speaker_role", "TEXT"))
        sql_type = "INTEGER" if self.codec in (Codec.INTEGER, Codec.BOOL) else "TEXT"
        return ((base, sql_type),)

    def encode(self, record: dict) -> tuple:
        value = record.get(self.key)
        if self.codec is Codec.PERIOD:
            value = value if isinstance(value, dict) else {}
            return value.get("start"), value.get("end"), value.get("instant")
        if self.codec is Codec.SPEAKER:
            value = value if isinstance(value, dict) else {}
            return value.get("name"), value.get("role")
        if value is None:
            return (None,)
        if self.codec is Codec.DECIMAL:
            return (decimal_text(value),)
        if self.codec is Codec.BOOL:
            return (int(bool(value)),)
        if self.codec is Codec.JSON or isinstance(value, (dict, list, tuple)):
            return (json.dumps(jsonable(value)),)
        return (value.value if isinstance(value, Enum) else value,)

    def decode(self, values: Sequence[Any]) -> Any:
        if self.codec is Codec.PERIOD:
            start, end, instant = values
            if instant is not None:
                return {"instant": instant}
            return {"start": start, "end": end} if start is not None or end is not None else None
        if self.codec is Codec.SPEAKER:
            name, role = values
            return {"name": name, "role": role} if name is not None else None
        value = values[0]
        if value is None:
            return None
        if self.codec is Codec.DECIMAL:
            return json_number(value)
        if self.codec is Codec.BOOL:
            return bool(value)
        if self.codec is Codec.JSON:
            return json.loads(value)
        return value


@dataclass(frozen=True)
class Table:
    """A record type's table: the fields in `to_dict()` key order, after the release columns."""

    name: str
    record_type: str
    fields: tuple[Field, ...]
    with_issuer: bool = False

    @property
    def lead_columns(self) -> tuple[tuple[str, str], ...]:
        lead = (("release_sha", "TEXT NOT NULL"), ("seq", "INTEGER NOT NULL"))
        return lead + ((("issuer_key", "TEXT"),) if self.with_issuer else ())

    @property
    def field_columns(self) -> list[str]:
        return [name for item in self.fields for name, _ in item.columns]

    def row(self, release_sha: str, seq: int, issuer_key: str, record: dict) -> tuple:
        lead = (release_sha, seq) + ((issuer_key,) if self.with_issuer else ())
        values = tuple(value for item in self.fields for value in item.encode(record))
        return lead + values + (extra_json(record, self.known_keys),)

    @property
    def known_keys(self) -> frozenset:
        return frozenset({"type"} | {item.key for item in self.fields})

    def record(self, values: Sequence[Any]) -> dict:
        """The record dict of a row holding `field_columns` then `extra`."""
        out: dict = {"type": self.record_type}
        position = 0
        for item in self.fields:
            width = len(item.columns)
            out[item.key] = item.decode(values[position:position + width])
            position += width
        out.update(json.loads(values[position]) if values[position] else {})
        return out


def extra_json(record: dict, known: frozenset) -> Optional[str]:
    """Keys a newer model added, kept so a record survives the store unchanged."""
    extra = {key: value for key, value in record.items() if key not in known}
    return json.dumps(jsonable(extra)) if extra else None


PERIOD = Field("period", Codec.PERIOD)
OFFSETS = (Field("start", Codec.INTEGER, "start_offset"), Field("end", Codec.INTEGER, "end_offset"))

CLAIMS = Table("claims", "claim", (
    Field("doc"), *OFFSETS, Field("text"), Field("sentence"), Field("metric"), Field("label"),
    Field("kind"), Field("value", Codec.DECIMAL), Field("unit"), Field("qualifier"), PERIOD,
    Field("base_period", Codec.PERIOD, "base"), Field("segment"), Field("speaker", Codec.SPEAKER),
    Field("rule"), Field("value_high", Codec.DECIMAL), Field("status"),
    Field("table_value", Codec.DECIMAL), Field("delta", Codec.DECIMAL),
    Field("evidence", Codec.JSON), Field("restated_value", Codec.DECIMAL),
), with_issuer=True)
QUOTES = Table("quotes", "quote", (
    Field("doc"), *OFFSETS, Field("text"), Field("speaker", Codec.SPEAKER),
))
FACTS = Table("facts", "fact", (
    Field("doc"), Field("statement"), Field("caption"), Field("label"), Field("line"), PERIOD,
    Field("column", Codec.TEXT, "column_header"), Field("value", Codec.DECIMAL), Field("printed"),
    Field("unit"), *OFFSETS, Field("line_no", Codec.INTEGER), Field("exhibit"),
), with_issuer=True)
CHECKS = Table("checks", "check", (
    Field("doc"), Field("check", Codec.TEXT, "check_name"), Field("statement"), PERIOD,
    Field("expected", Codec.DECIMAL), Field("actual", Codec.DECIMAL), Field("ok", Codec.BOOL),
    Field("lines", Codec.JSON),
))
RESTATEMENTS = Table("restatements", "restatement", (
    Field("issuer"), Field("line"), Field("statement"), PERIOD, Field("first_doc"),
    Field("first_value", Codec.DECIMAL), Field("later_doc"), Field("later_value", Codec.DECIMAL),
))
CORROBORATIONS = Table("corroborations", "corroboration", (
    Field("metric"), PERIOD, Field("unit"), Field("agree", Codec.BOOL), Field("claims", Codec.JSON),
))

RELEASE_TABLES = (CLAIMS, QUOTES, FACTS, CHECKS)
GROUP_TABLES = (RESTATEMENTS, CORROBORATIONS)
TABLES = {table.record_type: table for table in RELEASE_TABLES + GROUP_TABLES}
ERROR_FIELDS = ("path", "stage", "message")

RELEASES_DDL = """\
CREATE TABLE IF NOT EXISTS releases (
    sha256 TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    issuer TEXT,
    ticker TEXT,
    exchange TEXT,
    issuer_key TEXT NOT NULL,
    date TEXT,
    path TEXT,
    encoding TEXT,
    synthetic INTEGER NOT NULL DEFAULT 0,
    extra TEXT,
    loaded_at TEXT NOT NULL
);"""
ERRORS_DDL = """\
CREATE TABLE IF NOT EXISTS errors (
    path TEXT,
    seq INTEGER NOT NULL,
    stage TEXT,
    message TEXT,
    run_at TEXT NOT NULL
);"""
INDEXES_DDL = """\
CREATE INDEX IF NOT EXISTS releases_by_issuer ON releases (issuer_key, date, doc);
CREATE INDEX IF NOT EXISTS facts_by_line ON facts (issuer_key, line, period_end, period_instant);
CREATE INDEX IF NOT EXISTS claims_by_metric ON claims (metric, period_end, period_instant);
CREATE INDEX IF NOT EXISTS errors_by_path ON errors (path);"""


def table_ddl(table: Table) -> str:
    columns = table.lead_columns + tuple(col for item in table.fields for col in item.columns)
    lines = [f"    {name} {sql_type}" for name, sql_type in columns + (("extra", "TEXT"),)]
    lines.append("    PRIMARY KEY (release_sha, seq)")
    return f"CREATE TABLE IF NOT EXISTS {table.name} (\n" + ",\n".join(lines) + "\n);"


def schema_sql() -> str:
    """The DDL of every table and index (for the README, and what `open_store` runs)."""
    tables = [RELEASES_DDL] + [table_ddl(table) for table in RELEASE_TABLES + GROUP_TABLES]
    return "\n\n".join(tables + [ERRORS_DDL, INDEXES_DDL]) + "\n"


# ---------------------------------------------------------------------------------------------
# Opening


def open_store(path: Union[str, Path]) -> sqlite3.Connection:
    """Open (creating if needed) the store; refuses a file written by a newer schema.

    `with conn:` is a transaction, as in sqlite3; close it with `contextlib.closing`."""
    conn = sqlite3.connect(str(path))
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        conn.close()
        raise ValueError(f"{path}: store schema {version} is newer than this extractor's "
                         f"({SCHEMA_VERSION})")
    with conn:
        conn.executescript(schema_sql())
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return conn


# ---------------------------------------------------------------------------------------------
# Saving


def issuer_fields(issuer: Any) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(name, ticker, exchange) of a header's issuer: an Issuer dict, or a bare name."""
    if isinstance(issuer, dict):
        return issuer.get("name"), issuer.get("ticker"), issuer.get("exchange")
    return (str(issuer) if issuer else None), None, None


def issuer_key(name: Optional[str], ticker: Optional[str], doc: str) -> str:
    """How a run groups an issuer's releases: ticker, else name, else the doc itself."""
    return (ticker or name or doc).upper()


HEADER_KEYS = frozenset({"type", "doc", "path", "sha256", "issuer", "date", "encoding"})


@dataclass(frozen=True)
class ReleaseRow:
    sha256: str
    doc: str
    issuer_key: str
    header: Optional[dict]

    def values(self, loaded_at: str) -> tuple:
        header = self.header or {}
        name, ticker, exchange = issuer_fields(header.get("issuer"))
        return (self.sha256, self.doc, name, ticker, exchange, self.issuer_key, header.get("date"),
                header.get("path"), header.get("encoding"), int(self.header is None),
                extra_json(header, HEADER_KEYS), loaded_at)


def header_row(record: dict) -> ReleaseRow:
    doc = str(record.get("doc") or record.get("path") or "")
    name, ticker, _ = issuer_fields(record.get("issuer"))
    sha = record.get("sha256") or SYNTHETIC_PREFIX + doc
    return ReleaseRow(sha, doc, issuer_key(name, ticker, doc), record)


@dataclass
class Batch:
    """The records of one save, sorted to the release that owns them (collisions of doc names
    between issuers resolve to the latest header of that name, as the JSONL orders them)."""

    releases: dict  # sha -> ReleaseRow of every release a record names, in order of appearance
    replaced: set  # shas whose own records (header, claims, quotes, facts, checks) are here
    rows: dict  # table name -> list of (sha, record)
    errors: list
    current: dict  # doc -> sha of its latest header

    @classmethod
    def empty(cls) -> "Batch":
        return cls({}, set(), {table.name: [] for table in TABLES.values()}, [], {})

    def release_of(self, doc: str, conn: sqlite3.Connection) -> str:
        """The release a record of `doc` belongs to: its header in this batch, else the stored
        release of that name (a header-less re-save replaces it), else a synthetic one."""
        if doc in self.current:
            return self.current[doc]
        stored = conn.execute(
            "SELECT sha256, issuer_key FROM releases WHERE doc = ? "
            "ORDER BY synthetic, loaded_at DESC, sha256 LIMIT 1", (doc,)).fetchone()
        sha, key = stored if stored else (SYNTHETIC_PREFIX + doc, issuer_key(None, None, doc))
        self.releases.setdefault(sha, ReleaseRow(sha, doc, key, None))
        self.current[doc] = sha
        return sha

    def add(self, record: dict, conn: sqlite3.Connection) -> None:
        kind = record.get("type")
        if kind == "release":
            row = header_row(record)
            self.releases[row.sha256] = row
            self.replaced.add(row.sha256)
            self.current[row.doc] = row.sha256
        elif kind == "error":
            self.errors.append(record)
        elif kind in TABLES and TABLES[kind] in RELEASE_TABLES:
            sha = self.release_of(str(record.get("doc") or ""), conn)
            self.replaced.add(sha)
            self.rows[TABLES[kind].name].append((sha, record))
        elif kind in TABLES:
            self.rows[TABLES[kind].name].append((self.owner(record, conn), record))

    def owner(self, record: dict, conn: sqlite3.Connection) -> str:
        """A restatement belongs to the restating release, a corroboration to its latest one,
        preferring releases of this batch so that re-saving them replaces it."""
        if record.get("type") == "restatement":
            docs = [record.get("later_doc"), record.get("first_doc")]
        else:
            docs = [item.get("doc") for item in reversed(record.get("claims") or [])
                    if isinstance(item, dict)]
        docs = [str(doc) for doc in docs if doc]
        in_batch = [doc for doc in docs if self.current.get(doc) in self.replaced]
        return self.release_of((in_batch or docs or [""])[0], conn)


def save_records(conn: sqlite3.Connection, records: Iterable[dict]) -> None:
    """Upsert a run's records: each release they name replaces its earlier rows, in one
    transaction, so saving the same run twice leaves the store as after the first save."""
    batch = Batch.empty()
    for record in records:
        if isinstance(record, dict):
            batch.add(record, conn)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with conn:
        replace_releases(conn, batch, now)
        for table in TABLES.values():
            insert_rows(conn, table, batch.rows[table.name], batch.releases)
        replace_errors(conn, batch, now)


def replace_releases(conn: sqlite3.Connection, batch: Batch, loaded_at: str) -> None:
    """Clear the rows of every release the batch re-saves; add the release rows it lacks."""
    for sha, row in batch.releases.items():
        if sha in batch.replaced:
            for table in TABLES.values():
                conn.execute(f"DELETE FROM {table.name} WHERE release_sha = ?", (sha,))
        stored = conn.execute("SELECT 1 FROM releases WHERE sha256 = ?", (sha,)).fetchone()
        if row.header is not None or stored is None:
            conn.execute("INSERT OR REPLACE INTO releases VALUES "
                         "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row.values(loaded_at))


def insert_rows(conn: sqlite3.Connection, table: Table, rows: list, releases: dict) -> None:
    """Rows in batch order; `seq` continues after what a release not re-saved already holds."""
    placeholders = ", ".join("?" * (len(table.lead_columns) + len(table.field_columns) + 1))
    seqs: dict = {}
    for sha, record in rows:
        if sha not in seqs:
            seqs[sha] = conn.execute(f"SELECT COALESCE(MAX(seq), -1) FROM {table.name} "
                                     "WHERE release_sha = ?", (sha,)).fetchone()[0]
        seqs[sha] += 1
        conn.execute(f"INSERT INTO {table.name} VALUES ({placeholders})",
                     table.row(sha, seqs[sha], releases[sha].issuer_key, record))


def replace_errors(conn: sqlite3.Connection, batch: Batch, run_at: str) -> None:
    """A new error of a path replaces its old ones; a release read cleanly clears its path."""
    paths = {str(record.get("path")) for record in batch.errors}
    paths |= {str(row.header.get("path")) for row in batch.releases.values()
              if row.header and row.header.get("path")}
    conn.executemany("DELETE FROM errors WHERE path = ?", [(path,) for path in sorted(paths)])
    for seq, record in enumerate(batch.errors):
        conn.execute("INSERT INTO errors VALUES (?, ?, ?, ?, ?)",
                     (record.get("path"), seq, record.get("stage"), record.get("message"), run_at))


# ---------------------------------------------------------------------------------------------
# Loading

RELEASE_ORDER = "r.date IS NULL, r.date, r.doc, r.sha256"
ISSUER_MATCH = ("(? IS NULL OR r.issuer_key = UPPER(?) OR UPPER(r.ticker) = UPPER(?) "
                "OR UPPER(r.issuer) = UPPER(?))")


def selected_releases(conn: sqlite3.Connection, issuer: Optional[str]) -> list[sqlite3.Row]:
    cursor = conn.execute(
        "SELECT r.sha256, r.doc, r.issuer, r.ticker, r.exchange, r.date, r.path, r.encoding, "
        f"r.synthetic, r.extra FROM releases r WHERE {ISSUER_MATCH} ORDER BY {RELEASE_ORDER}",
        (issuer,) * 4)
    return cursor.fetchall()


def header_record(row: Sequence[Any]) -> dict:
    sha, doc, name, ticker, exchange, date, path, encoding, _, extra = row
    stated_sha = None if sha.startswith(SYNTHETIC_PREFIX) else sha
    header = {"type": "release", "doc": doc, "path": path, "sha256": stated_sha,
              "issuer": {"name": name, "exchange": exchange, "ticker": ticker},
              "date": date, "encoding": encoding}
    header.update(json.loads(extra) if extra else {})
    return header


def table_records(conn: sqlite3.Connection, table: Table, where: str, params: Sequence[Any],
                  order: str) -> list[dict]:
    columns = ", ".join(f"t.{name}" for name in table.field_columns + ["extra"])
    cursor = conn.execute(f"SELECT {columns} FROM {table.name} t JOIN releases r "
                          f"ON r.sha256 = t.release_sha WHERE {where} ORDER BY {order}", params)
    return [table.record(row) for row in cursor]


def release_records(conn: sqlite3.Connection, row: Sequence[Any]) -> Iterator[dict]:
    sha, synthetic = row[0], row[8]
    if not synthetic:
        yield header_record(row)
    for table in RELEASE_TABLES:
        yield from table_records(conn, table, "t.release_sha = ?", (sha,), "t.seq")


def load_records(conn: sqlite3.Connection, issuer: Optional[str] = None) -> list[dict]:
    """The stored records as the JSONL has them: per release (by date, then doc) its header,
    claims, quotes, facts and checks; then restatements, corroborations and (unfiltered) errors.

    `issuer` picks one issuer by ticker or name (case-insensitive)."""
    records = [record for row in selected_releases(conn, issuer)
               for record in release_records(conn, row)]
    for table in GROUP_TABLES:
        records += table_records(conn, table, ISSUER_MATCH, (issuer,) * 4, f"{RELEASE_ORDER}, t.seq")
    if issuer is None:
        records += [{"type": "error", **dict(zip(ERROR_FIELDS, row))} for row in conn.execute(
            "SELECT path, stage, message FROM errors ORDER BY path, run_at, seq")]
    return records


def issuer_facts(conn: sqlite3.Connection, ticker: str, exclude: Iterable[str] = ()) -> list[dict]:
    """Fact records the store holds for one issuer (by ticker or name), oldest release first,
    leaving out the releases whose SHA-256 is in `exclude` (those the current run re-reads)."""
    skip = sorted(set(exclude))
    where = f"{ISSUER_MATCH} AND r.sha256 NOT IN ({', '.join('?' * len(skip))})"
    return table_records(conn, FACTS, where, (ticker,) * 4 + tuple(skip),
                         f"{RELEASE_ORDER}, t.seq")
