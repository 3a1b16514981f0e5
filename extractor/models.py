"""Typed records that flow between the stages. Frozen, so a stage cannot alter another's output.

Money and every figure is a Decimal: a float would print 3899999.9999. `to_dict()` gives the
JSON form (stable key order, Decimals as exact JSON numbers) used by the JSONL writer.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from operator import attrgetter
from typing import Any, Callable, Optional


class Unit(str, Enum):
    USD = "USD"
    CAD = "CAD"
    EUR = "EUR"
    GBP = "GBP"
    USD_PER_SHARE = "USD/share"
    MW = "MW"
    KW = "kW"
    MWH = "MWh"
    KWH = "kWh"
    UNITS = "units"
    HOURS = "hours"
    SHARES = "shares"
    PERCENT = "percent"
    POINTS = "points"
    RATIO = "ratio"


class Statement(str, Enum):
    BALANCE_SHEET = "balance_sheet"
    OPERATIONS = "operations"
    CASH_FLOWS = "cash_flows"
    OTHER = "other"


class BlockKind(str, Enum):
    HEADLINE = "headline"
    DATELINE = "dateline"
    NARRATIVE = "narrative"
    HEADING = "heading"
    ABOUT = "about"
    BOILERPLATE = "boilerplate"
    TABLE = "table"


class Kind(str, Enum):
    AMOUNT = "amount"
    CHANGE = "change"
    PCT_CHANGE = "pct_change"
    RATIO = "ratio"
    MARGIN_CHANGE = "margin_change"


class Qualifier(str, Enum):
    APPROXIMATELY = "approximately"
    NEARLY = "nearly"
    MORE_THAN = "more than"
    LESS_THAN = "less than"
    UP_TO = "up to"


class Status(str, Enum):
    MATCH = "match"
    MISMATCH = "mismatch"
    UNVERIFIABLE = "unverifiable"


PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


CURRENCIES = frozenset({Unit.USD, Unit.CAD, Unit.EUR, Unit.GBP})


def _jsonable(value: Any) -> Any:
    """Exact JSON form of a field value: Decimals stay exact, enums become their value."""
    return _converter(type(value))(value)


@lru_cache(maxsize=None)
def _converter(kind: type) -> Callable[[Any], Any]:
    """How a value of this type becomes JSON, worked out once per type (records are many)."""
    if kind in PLAIN_TYPES:
        return _unchanged
    if issubclass(kind, Enum):
        return _enum_value
    if issubclass(kind, Decimal):
        return _exact_number
    if issubclass(kind, dt.date):
        return kind.isoformat
    if hasattr(kind, "to_dict"):
        return kind.to_dict
    if issubclass(kind, (tuple, list)):
        return _jsonable_list
    if issubclass(kind, dict):
        return _jsonable_dict
    return _unchanged


def _unchanged(value: Any) -> Any:
    return value


def _enum_value(value: Enum) -> Any:
    return value._value_  # what .value gives, without the property's cost


def _exact_number(value: Decimal) -> Any:
    """An integral Decimal as an int; otherwise the float that prints its exact digits."""
    if value.is_finite():
        whole = int(value)
        if whole == value:
            return whole
    return float(format(value.normalize(), "f"))


def _jsonable_list(value: Any) -> list:
    return [_jsonable(item) for item in value]


def _jsonable_dict(value: dict) -> dict:
    return {key: _jsonable(item) for key, item in value.items()}


@lru_cache(maxsize=None)
def _public_fields(cls: type) -> tuple[tuple[str, ...], Callable[[Any], tuple]]:
    """The JSON fields of a record class and a getter of their values as one tuple, worked out
    once per class (a pure function of it)."""
    names = tuple(item.name for item in fields(cls) if not item.metadata.get("internal"))
    getter = attrgetter(*names)
    return names, (getter if len(names) > 1 else lambda record: (getter(record),))


class Record:
    """Mixin: `to_dict()` in field order, with the record type first where it has one."""

    record_type: str = ""

    def to_dict(self) -> dict:
        """Plain values go in as they are, in one step; only the others are converted (records
        are many, and most of their values are strings and integers)."""
        names, values_of = _public_fields(type(self))
        values = values_of(self)
        out: dict = {"type": self.record_type} if self.record_type else {}
        out.update(zip(names, values))
        for name, value in zip(names, values):
            if type(value) not in PLAIN_TYPES:
                out[name] = _converter(type(value))(value)
        return out


_LABEL_JUNK = re.compile(r"[^a-z0-9&%/ ]+")


def normalize_label(label: str) -> str:
    """The comparable form of a table line label: lower case, punctuation dropped, one space."""
    return " ".join(_LABEL_JUNK.sub(" ", label.lower()).split())


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Period:
    """A span of days (start..end, both inclusive) or an instant (a balance-sheet date)."""

    start: Optional[dt.date] = None
    end: Optional[dt.date] = None
    instant: Optional[dt.date] = None

    @classmethod
    def at(cls, day: dt.date) -> "Period":
        return cls(instant=day)

    @classmethod
    def span(cls, start: dt.date, end: dt.date) -> "Period":
        return cls(start=start, end=end)

    @classmethod
    def months_ending(cls, end: dt.date, months: int) -> "Period":
        """`months` calendar months ending on `end`: 3 months ended Sep 30 starts Jul 1."""
        if end == _month_end(end.year, end.month):
            year, month = end.year, end.month - months + 1
            while month < 1:
                month += 12
                year -= 1
            return cls(start=dt.date(year, month, 1), end=end)
        year, month = end.year, end.month - months
        while month < 1:
            month += 12
            year -= 1
        day = min(end.day, calendar.monthrange(year, month)[1])
        return cls(start=dt.date(year, month, day) + dt.timedelta(days=1), end=end)

    @classmethod
    def weeks_ending(cls, end: dt.date, weeks: int) -> "Period":
        """13 weeks ended July 3, 2004 start April 4, 2004."""
        return cls(start=end - dt.timedelta(days=7 * weeks - 1), end=end)

    @property
    def is_instant(self) -> bool:
        return self.instant is not None

    @property
    def is_dated(self) -> bool:
        """False for the empty Period() of a column whose dates could not be read."""
        return self.instant is not None or (self.start is not None and self.end is not None)

    def sort_key(self) -> tuple:
        """Order by the day the period ends, then the longer span first; instants last on a day."""
        last = self.instant or self.end or dt.date.min
        first = self.instant or self.start or dt.date.min
        return (last, self.instant is not None, first)

    @property
    def days(self) -> int:
        if self.instant is not None or self.start is None or self.end is None:
            return 0
        return (self.end - self.start).days + 1

    def to_dict(self) -> dict:
        instant = self.instant
        if instant is not None:
            return {"instant": instant.isoformat()}
        start, end = self.start, self.end
        return {"start": start and start.isoformat(), "end": end and end.isoformat()}

    @classmethod
    def from_dict(cls, data: Optional[dict]) -> Optional["Period"]:
        if not data:
            return None
        if data.get("instant"):
            return cls(instant=dt.date.fromisoformat(data["instant"]))
        return cls(start=dt.date.fromisoformat(data["start"]), end=dt.date.fromisoformat(data["end"]))

    def __str__(self) -> str:
        if self.instant is not None:
            return self.instant.isoformat()
        return f"{self.start}..{self.end}"


@dataclass(frozen=True)
class Issuer(Record):
    name: Optional[str]
    exchange: Optional[str]
    ticker: Optional[str]


@dataclass(frozen=True)
class Block(Record):
    """A stretch of the release: `text == release.clean[start:end]`, as long as text[start:end]."""

    kind: BlockKind
    start: int
    end: int
    text: str
    exhibit: str = "EX-99.1"


@dataclass(frozen=True)
class Release:
    """One decoded release. `text` is the whole decoded file; every offset points into it.

    `clean` has the same length as `text`: markup and envelopes blanked to spaces, so the
    later stages read plain prose while their offsets still point into `text`."""

    doc: str
    text: str
    clean: str
    blocks: tuple[Block, ...]
    issuer: Issuer
    date: Optional[dt.date]
    encoding: str = "utf-8"


@dataclass(frozen=True)
class Fact(Record):
    """One printed figure of a financial table, with where it came from."""

    record_type = "fact"
    doc: str
    statement: Statement
    caption: str
    label: str
    line: str
    period: Period
    column: str
    value: Decimal
    printed: str
    unit: Unit
    start: int
    end: int
    line_no: int
    exhibit: str = "EX-99.1"


    @classmethod
    def from_dict(cls, data: dict) -> "Fact":
        """A fact record read back from JSONL or the store (values exact, from their text)."""
        return cls(
            doc=data["doc"], statement=Statement(data["statement"]), caption=data["caption"],
            label=data["label"], line=data["line"], period=Period.from_dict(data["period"]) or Period(),
            column=data["column"], value=Decimal(str(data["value"])), printed=data["printed"],
            unit=Unit(data["unit"]), start=data["start"], end=data["end"], line_no=data["line_no"],
            exhibit=data.get("exhibit", "EX-99.1"),
        )


@dataclass(frozen=True)
class IntegrityCheck(Record):
    record_type = "check"
    doc: str
    check: str
    statement: Statement
    period: Period
    expected: Decimal
    actual: Decimal
    ok: bool
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Speaker(Record):
    name: str
    role: Optional[str]


@dataclass(frozen=True)
class Quote(Record):
    record_type = "quote"
    doc: str
    start: int
    end: int
    text: str
    speaker: Optional[Speaker]


@dataclass(frozen=True)
class Quantity:
    """A figure as stated: value fully scaled, `precision` the unit of its last stated digit."""

    value: Decimal
    unit: Unit
    precision: Decimal
    qualifier: Optional[Qualifier] = None
    value_high: Optional[Decimal] = None


@dataclass(frozen=True)
class Evidence(Record):
    """Where a table value came from: a printed fact, or a formula over several."""

    formula: str
    operands: tuple[dict, ...]
    cross_release: bool = False


@dataclass(frozen=True)
class Claim(Record):
    record_type = "claim"
    doc: str
    start: int
    end: int
    text: str
    sentence: str
    metric: str
    label: str
    kind: Kind
    value: Decimal
    unit: Unit
    qualifier: Optional[Qualifier]
    period: Optional[Period]
    base_period: Optional[Period]
    segment: Optional[str]
    speaker: Optional[Speaker]
    rule: str
    value_high: Optional[Decimal] = None
    status: Status = Status.UNVERIFIABLE
    table_value: Optional[Decimal] = None
    delta: Optional[Decimal] = None
    evidence: Optional[Evidence] = None
    restated_value: Optional[Decimal] = None
    precision: Decimal = field(default=Decimal(1), metadata={"internal": True})


@dataclass(frozen=True)
class Restatement(Record):
    record_type = "restatement"
    issuer: Optional[str]
    line: str
    statement: Statement
    period: Period
    first_doc: str
    first_value: Decimal
    later_doc: str
    later_value: Decimal


@dataclass(frozen=True)
class Corroboration(Record):
    record_type = "corroboration"
    metric: str
    period: Optional[Period]
    unit: Unit
    agree: bool
    claims: tuple[dict, ...]


@dataclass(frozen=True)
class ErrorRecord(Record):
    record_type = "error"
    path: str
    stage: str
    message: str
