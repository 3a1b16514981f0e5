"""Reconciliation: judge every prose claim against the figures printed in the release's tables.

A claim is confirmed when the table figure (printed, or derived from printed figures) is what
the rounded prose figure says, within the precision the writer used (spec/reconciliation.md).
The claim's own release decides; the facts of other releases of the same issuer count only
where the own release cannot decide, and a later release that prints a different figure for
the decisive line is reported beside the verdict (`restated_value`), never instead of it.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property
from itertools import pairwise
from types import MappingProxyType
from typing import Callable, Iterable, Mapping, Optional, Sequence

from .models import (Claim, Corroboration, Evidence, Fact, Kind, Period, Qualifier,
                     Restatement, Statement, Status, Unit, normalize_label)
from .resources import Metric, load_resources

# A usage measured as the fall of a level between two dates (cash used = cash then - cash now).
LEVEL_CHANGES = MappingProxyType({"cash_usage": "cash_and_equivalents"})
# A margin: a profit line (or the loss line printed in its place) over revenue, in percent.
MARGINS = MappingProxyType({
    "gross_margin": (("gross_profit", "gross_loss"), "revenue"),
    "operating_margin": (("operating_income", "operating_loss"), "revenue"),
})
# A figure that is the sum of other lines in table sign (capital expenditures print negative).
COMPOSITES = MappingProxyType({"free_cash_flow": ("operating_cash_flow", "capital_expenditures")})

# Statements in order of preference: flows are read from operations, levels from the balance sheet.
FLOW_STATEMENTS = (Statement.OPERATIONS, Statement.CASH_FLOWS, Statement.OTHER, Statement.BALANCE_SHEET)
LEVEL_STATEMENTS = (Statement.BALANCE_SHEET, Statement.CASH_FLOWS, Statement.OTHER, Statement.OPERATIONS)

# "Cash and cash equivalents, beginning of period": a level read off a flow statement's column.
SPANS = ("period", "year", "quarter", "month")
BOUNDARY_LINE = re.compile(
    rf"^(?P<base>.+?) (?:at )?(?:the )?(?P<edge>beginning|end) of (?:the )?(?:{'|'.join(SPANS)})s?$")
# The words such a line ends with: a cheap test that rules out most lines before the regex.
BOUNDARY_ENDINGS = SPANS + tuple(f"{span}s" for span in SPANS)
PRINTED_NUMBER = re.compile(r"\d[\d,]*(?:\.\d*)?|\.\d+")
ONE_DAY = dt.timedelta(days=1)
COMPOUND = re.compile(r"\] [-+*/] ")
MONEY = frozenset({Unit.USD})
SHOWN_PLACES = Decimal("0.0001")

PRINTED, CUMULATIVE, LEVEL_DIFFERENCE, COMPOSITE = range(4)


# ---------------------------------------------------------------------------------------------
# Table figures: printed facts and signed sums of them


def table_precision(fact: Fact) -> Decimal:
    """The unit of the printed figure's last digit, scaled like the value ("8,781" in millions: 1e6).

    A claim is never judged more finely than the table it is checked against."""
    match = PRINTED_NUMBER.search(fact.printed)
    if not match:
        return Decimal(0)
    digits = match.group().replace(",", "")
    printed = Decimal(digits)
    if printed == 0:
        return Decimal(0)
    decimals = len(digits.partition(".")[2])
    return Decimal(1).scaleb(-decimals) * abs(fact.value) / printed


def period_tag(period: Period) -> str:
    """Short column name for a formula: "3M 2004-09-30", "13W 2004-07-03", "2004-09-30"."""
    if period.is_instant or period.start is None or period.end is None:
        return str(period)
    about = round(period.days / Decimal("30.4375"))
    for months in (about, about - 1, about + 1):
        if months > 0 and Period.months_ending(period.end, months) == period:
            return f"{months}M {period.end}"
    if period.days % 7 == 0:
        return f"{period.days // 7}W {period.end}"
    return str(period)


Tag = Callable[[Period], str]


def fact_ref(fact: Fact, tag: Tag = period_tag) -> str:
    return f"{fact.label}[{tag(fact.period)}]"


def operand(fact: Fact) -> dict:
    """The provenance of one printed figure, as evidence carries it."""
    return {"doc": fact.doc, "statement": fact.statement.value, "line": fact.line,
            "label": fact.label, "column": fact.column, "period": fact.period.to_dict(),
            "value": fact.value, "line_no": fact.line_no}


Swap = Callable[[Fact], Fact]


def as_printed(fact: Fact) -> Fact:
    return fact


@dataclass(frozen=True)
class Term:
    coef: int
    fact: Fact


@dataclass(frozen=True)
class Figure:
    """A table figure in table sign: one printed fact, or a signed sum of printed facts.

    `rank` orders rival derivations of the same figure (lower is better)."""

    terms: tuple[Term, ...]
    rank: tuple = ()

    def value(self, swap: Swap = as_printed) -> Decimal:
        return sum((term.coef * swap(term.fact).value for term in self.terms), Decimal(0))

    @property
    def precision(self) -> Decimal:
        return max(table_precision(term.fact) for term in self.terms)

    def formula(self, tag: Tag = period_tag) -> str:
        text = ""
        for term in self.terms:
            ref = fact_ref(term.fact, tag)
            if not text:
                text = ref if term.coef > 0 else f"-{ref}"
            else:
                text += f" + {ref}" if term.coef > 0 else f" - {ref}"
        return text


def in_claim_sign(value: Decimal, sign: int) -> Decimal:
    """A table value in the claim's convention: a loss stated positive flips, sign 0 is a magnitude."""
    return abs(value) if sign == 0 else value * sign


def grouped(text: str) -> str:
    """A compound operand in parentheses, so that a formula reads unambiguously."""
    return f"({text})" if COMPOUND.search(text) else text


@dataclass(frozen=True)
class Level:
    """A metric's value over one period in the claim's sign: a figure, or a margin (a/b * 100)."""

    figures: tuple[Figure, ...]
    sign: int

    def value(self, swap: Swap = as_printed) -> Optional[Decimal]:
        values = [figure.value(swap) for figure in self.figures]
        if len(values) == 1:
            return in_claim_sign(values[0], self.sign)
        if values[1] == 0:
            return None
        return values[0] / values[1] * 100

    def formula(self, tag: Tag = period_tag) -> str:
        if len(self.figures) == 1:
            return self.figures[0].formula(tag)
        numerator, denominator = (grouped(figure.formula(tag)) for figure in self.figures)
        return f"{numerator} / {denominator} * 100"


@dataclass(frozen=True)
class Measure:
    """What a claim is compared with: its kind applied to the metric's level(s)."""

    kind: Kind
    percent: bool
    levels: tuple[Level, ...]

    def value(self, swap: Swap = as_printed) -> Optional[Decimal]:
        values = [level.value(swap) for level in self.levels]
        if any(value is None for value in values):
            return None
        if self.kind is Kind.AMOUNT:
            return values[0]
        new, old = values
        if self.kind in (Kind.CHANGE, Kind.MARGIN_CHANGE):
            return abs(new - old)
        if old == 0:
            return None
        if self.kind is Kind.PCT_CHANGE:
            return abs((new - old) / abs(old) * 100)
        return abs(new) / abs(old) * (100 if self.percent else 1)

    @cached_property
    def exact(self) -> Optional[Decimal]:
        """The value as printed, computed once (a measure is first checked, then judged)."""
        return self.value()

    def formula(self, tag: Tag = period_tag) -> str:
        refs = [level.formula(tag) for level in self.levels]
        if self.kind is Kind.AMOUNT:
            return refs[0]
        new, old = (grouped(ref) for ref in refs)
        if self.kind in (Kind.CHANGE, Kind.MARGIN_CHANGE):
            return f"|{new} - {old}|"
        if self.kind is Kind.PCT_CHANGE:
            return f"({new} - {old}) / |{old}| * 100"
        return f"{new} / {old}" + (" * 100" if self.percent else "")

    @property
    def facts(self) -> tuple[Fact, ...]:
        return tuple(dict.fromkeys(term.fact for level in self.levels
                                   for figure in level.figures for term in figure.terms))

    @property
    def precision(self) -> Decimal:
        return max(figure.precision for level in self.levels for figure in level.figures)


# ---------------------------------------------------------------------------------------------
# The facts of one issuer, indexed once


@dataclass(frozen=True)
class Entry:
    """A fact as a candidate figure of a series: `key` is the period it stands for; `alias` and
    `statement` its place in the preferences, `order` the tie-breaks (latest release, position)."""

    key: Period
    fact: Fact
    alias: int
    statement: int
    order: tuple


@dataclass(frozen=True)
class Series:
    """The candidate facts of one metric, looked up by period, by start and by end."""

    by_period: Mapping[Period, tuple[Entry, ...]]
    by_start: Mapping[dt.date, tuple[Entry, ...]]
    by_end: Mapping[dt.date, tuple[Entry, ...]]


# A way to a figure: the strategy and the signed entries it sums.
Derivation = tuple[int, tuple[tuple[int, Entry], ...]]


def derivation_rank(strategy: int, signed: Sequence[tuple[int, Entry]], doc: str) -> tuple:
    """Own release (`doc`) first, then strategy, preferred statement, earliest alias, latest
    release, position."""
    outside = statement = aliases = 0
    orders = []
    for _, entry in signed:
        outside += entry.fact.doc != doc
        statement = max(statement, entry.statement)
        aliases += entry.alias
        orders.append(entry.order)
    return (outside, strategy, statement, aliases, tuple(orders))


def best_derivation(derivations: Sequence[Derivation], doc: str) -> Derivation:
    return min(derivations, key=lambda derivation: derivation_rank(*derivation, doc))


def figure_of(strategy: int, signed: Sequence[tuple[int, Entry]], doc: str) -> Figure:
    return Figure(tuple([Term(coef, entry.fact) for coef, entry in signed]),
                  derivation_rank(strategy, signed, doc))


def build_series(entries: Iterable[Entry]) -> Series:
    by_period: dict = {}
    by_start: dict = {}
    by_end: dict = {}
    for entry in entries:
        by_period.setdefault(entry.key, []).append(entry)
        if entry.key.start is not None and entry.key.end is not None:
            by_start.setdefault(entry.key.start, []).append(entry)
            by_end.setdefault(entry.key.end, []).append(entry)
    return Series(frozen_index(by_period), frozen_index(by_start), frozen_index(by_end))


def frozen_index(index: dict) -> dict:
    return {key: tuple(values) for key, values in index.items()}


def release_order(columns: Iterable[tuple]) -> dict[str, int]:
    """Each release's place in time order (the dict iterates in that order too): the release
    whose latest column ends earlier comes first. Read from the column keys (column_key), far
    fewer than the facts."""
    latest: dict[str, dt.date] = {}
    for doc, _, _, end, instant in columns:
        day = instant or end
        if day is not None and (doc not in latest or day > latest[doc]):
            latest[doc] = day
    ordered = sorted(latest, key=lambda doc: (latest[doc], doc))
    return {doc: rank for rank, doc in enumerate(ordered)}


def lines_to_metrics(metrics: Mapping[str, Metric]) -> dict[str, frozenset]:
    """Which vocabulary metrics each table line alias confirms."""
    found: dict[str, set] = {}
    for metric in metrics.values():
        for line in metric.table_lines:
            found.setdefault(line, set()).add(metric.id)
    return {line: frozenset(ids) for line, ids in found.items()}


def without_segment(line: str, segment: str) -> str:
    """A segment table's line with the segment's name dropped: "domestic revenues" -> "revenues"."""
    return " ".join(f" {line} ".replace(f" {segment} ", " ").split())


def names_segment(fact: Fact, segment: str) -> bool:
    """Whether a figure belongs to the segment: its caption or its line names it, as whole words."""
    return any(f" {segment} " in f" {text} " for text in (normalize_label(fact.caption), fact.line))


class Tables:
    """The facts of one issuer's releases, indexed once per call; lookups are cached per call."""

    def __init__(self, facts: Sequence[Fact], metrics: Mapping[str, Metric]):
        self.facts = tuple(facts)
        self.metrics = metrics
        self.line_metrics = lines_to_metrics(metrics)
        self.by_column: dict[tuple, dict[str, list[Fact]]] = {}
        for fact in self.facts:
            column = self.by_column.setdefault(column_key(fact.doc, fact), {})
            column.setdefault(fact.line, []).append(fact)
        self.order = release_order(self.by_column)
        self._lines: dict = {}
        self._boundaries: dict = {}
        self._series: dict = {}
        self._later: dict = {}
        self._tags: dict[Period, str] = {}

    def tag(self, period: Period) -> str:
        """period_tag, worked out once per period (it takes calendar arithmetic)."""
        if period not in self._tags:
            self._tags[period] = period_tag(period)
        return self._tags[period]

    def rank(self, doc: str) -> int:
        """A release's place in time order (-1 for one without dated columns)."""
        return self.order.get(doc, -1)

    # -- lines and series ----------------------------------------------------------------

    def lines(self, segment: Optional[str]) -> Mapping[str, list[Fact]]:
        """Facts by the line a metric alias is compared with (segment name dropped for a segment)."""
        if segment not in self._lines:
            index: dict[str, list[Fact]] = {}
            for fact in self.facts:
                if segment is None:
                    index.setdefault(fact.line, []).append(fact)
                elif names_segment(fact, segment):
                    index.setdefault(without_segment(fact.line, segment), []).append(fact)
            self._lines[segment] = index
        return self._lines[segment]

    def boundaries(self, segment: Optional[str]) -> Mapping[str, list[tuple[Fact, Period]]]:
        """Levels printed as a flow column's beginning or end ("Cash ..., Beginning of Period")."""
        if segment not in self._boundaries:
            index: dict[str, list[tuple[Fact, Period]]] = {}
            for line, facts in self.lines(segment).items():
                match = line.endswith(BOUNDARY_ENDINGS) and BOUNDARY_LINE.match(line)
                if not match:
                    continue
                for fact in facts:
                    if fact.period.is_instant or fact.period.start is None:
                        continue
                    day = fact.period.end if match["edge"] == "end" else fact.period.start - ONE_DAY
                    index.setdefault(match["base"], []).append((fact, Period.at(day)))
            self._boundaries[segment] = index
        return self._boundaries[segment]

    def series(self, aliases: tuple[str, ...], instant: bool, units: Optional[frozenset],
               segment: Optional[str]) -> Series:
        key = (aliases, instant, units, segment)
        if key not in self._series:
            self._series[key] = build_series(self.entries(aliases, instant, units, segment))
        return self._series[key]

    def entries(self, aliases: tuple[str, ...], instant: bool, units: Optional[frozenset],
                segment: Optional[str]) -> Iterable[Entry]:
        statements = LEVEL_STATEMENTS if instant else FLOW_STATEMENTS
        for alias, line in enumerate(aliases):
            for fact in self.lines(segment).get(line, ()):
                if fact.period.is_instant == instant and unit_fits(fact, units):
                    yield self.entry(fact.period, fact, alias, statements)
            if instant:
                for fact, day in self.boundaries(segment).get(line, ()):
                    if unit_fits(fact, units):
                        yield self.entry(day, fact, alias, statements)

    # -- figures ---------------------------------------------------------------------------

    def entry(self, key: Period, fact: Fact, alias: int, statements: Sequence[Statement]) -> Entry:
        return Entry(key, fact, alias, statements.index(fact.statement),
                     (-self.rank(fact.doc), fact.doc, fact.line_no, fact.start))

    def figure(self, metric: Metric, period: Period, units: Optional[frozenset],
               segment: Optional[str], doc: str) -> Optional[Figure]:
        """The best table figure for a metric and period: printed, or derived from printed ones."""
        series = self.series(metric.table_lines, metric.is_instant, units, segment)
        derivations = list(self.printed(series, period))
        if period.start is not None and period.end is not None:
            derivations += self.cumulative_differences(series, period)
            level = self.metrics.get(LEVEL_CHANGES.get(metric.id, ""))
            if level is not None:
                levels = self.series(level.table_lines, True, units, segment)
                derivations += self.level_differences(levels, period)
        # Only the best derivation becomes a Figure; a composite (a sum of figures) then competes.
        candidates = [figure_of(*best_derivation(derivations, doc), doc)] if derivations else []
        if metric.id in COMPOSITES:
            candidates += self.composite(metric, period, units, segment, doc)
        return min(candidates, key=lambda figure: figure.rank, default=None)

    @staticmethod
    def printed(series: Series, period: Period) -> Iterable[Derivation]:
        for entry in series.by_period.get(period, ()):
            yield PRINTED, ((1, entry),)

    @staticmethod
    def cumulative_differences(series: Series, period: Period) -> Iterable[Derivation]:
        """A span as a longer cumulative column minus the part of it outside the span.

        Six months ended Sep 30 minus three months ended Sep 30 is the quarter ended Jun 30;
        nine months ended Sep 30 minus six months ended Jun 30 is the quarter ended Sep 30."""
        pairs = []
        for longer in series.by_start.get(period.start, ()):
            if longer.key.end > period.end:
                rest = Period.span(period.end + ONE_DAY, longer.key.end)
                pairs += [(longer, part) for part in series.by_period.get(rest, ())]
        for longer in series.by_end.get(period.end, ()):
            if longer.key.start < period.start:
                rest = Period.span(longer.key.start, period.start - ONE_DAY)
                pairs += [(longer, part) for part in series.by_period.get(rest, ())]
        for longer, part in pairs:
            yield CUMULATIVE, ((1, longer), (-1, part))

    @staticmethod
    def level_differences(levels: Series, period: Period) -> Iterable[Derivation]:
        """The change of a level over a span: the level at its end minus the level the day before."""
        for closing in levels.by_period.get(Period.at(period.end), ()):
            for opening in levels.by_period.get(Period.at(period.start - ONE_DAY), ()):
                yield LEVEL_DIFFERENCE, ((1, closing), (-1, opening))

    def composite(self, metric: Metric, period: Period, units: Optional[frozenset],
                  segment: Optional[str], doc: str) -> Iterable[Figure]:
        components = [self.metrics.get(ident) for ident in COMPOSITES[metric.id]]
        if not all(components):
            return
        parts = [self.figure(part, period, units, segment, doc) for part in components]
        if all(parts):
            yield Figure(tuple(term for part in parts for term in part.terms),
                         (sum(part.rank[0] for part in parts), COMPOSITE, tuple(part.rank for part in parts)))

    # -- levels and measures ---------------------------------------------------------------

    def level(self, metric: Metric, period: Period, units: Optional[frozenset],
              segment: Optional[str], doc: str) -> Optional[Level]:
        if metric.id in MARGINS:
            return self.margin(metric, period, segment, doc)
        figure = self.figure(metric, period, units, segment, doc)
        return Level((figure,), metric.sign) if figure else None

    def margin(self, metric: Metric, period: Period, segment: Optional[str],
               doc: str) -> Optional[Level]:
        """A margin in percent: the profit line in table sign (a loss negative) over revenue."""
        profits, revenue = MARGINS[metric.id]
        aliases = tuple(dict.fromkeys(line for ident in profits if ident in self.metrics
                                      for line in self.metrics[ident].table_lines))
        if not aliases or revenue not in self.metrics:
            return None
        profit = replace(metric, id=f"{metric.id}:numerator", table_lines=aliases)
        numerator = self.figure(profit, period, MONEY, segment, doc)
        denominator = self.figure(self.metrics[revenue], period, MONEY, segment, doc)
        if numerator is None or denominator is None:
            return None
        return Level((numerator, denominator), 1)

    def measure(self, claim: Claim, metric: Metric) -> Optional[Measure]:
        """The table side of a claim, or None when the tables do not cover it.

        Every figure is the best over all releases, and a figure of the claim's own release
        ranks before any that needs another's (rank[0]): so each is the own release's best
        wherever the own release prints one, and the claim's own release decides."""
        periods = (claim.period,) if claim.kind is Kind.AMOUNT else (claim.period, claim.base_period)
        if any(period is None for period in periods):
            return None
        units = operand_units(claim, metric)
        levels = []
        for period in periods:
            level = self.level(metric, period, units, segment_key(claim.segment), claim.doc)
            if level is None:
                return None
            levels.append(level)
        measure = Measure(claim.kind, claim.unit is Unit.PERCENT, tuple(levels))
        return measure if measure.exact is not None else None

    # -- restatements ------------------------------------------------------------------------

    def counterpart(self, fact: Fact, doc: str) -> Optional[Fact]:
        """The figure another release prints for the same line, statement and column period.

        Labels that differ only in wording count as one line when they confirm the same
        vocabulary metric and neither release has a second line for it."""
        theirs = self.by_column.get(column_key(doc, fact), {})
        if fact.line in theirs:
            return sole(theirs[fact.line])
        wanted = self.line_metrics.get(fact.line, frozenset())
        if not wanted:
            return None
        ours = self.by_column.get(column_key(fact.doc, fact), {})
        twins = [line for line in theirs
                 if line not in ours and wanted & self.line_metrics.get(line, frozenset())]
        if len(twins) != 1:
            return None
        twin = twins[0]
        rivals = {line for line in ours.keys() - theirs.keys()
                  if self.line_metrics.get(line, frozenset()) & self.line_metrics.get(twin, frozenset())}
        if rivals != {fact.line}:
            return None
        return sole(theirs[twin])

    def latest_restatement(self, fact: Fact, after: str) -> Fact:
        """The latest release after both `after` and the fact's own that prints it differently."""
        key = (id(fact), after)  # a fact of self.facts: its id is its identity, and cheap to hash
        if key not in self._later:
            floor = max(self.rank(after), self.rank(fact.doc))
            found = fact
            for doc in reversed([doc for doc, rank in self.order.items() if rank > floor]):
                twin = self.counterpart(fact, doc)
                if twin is not None:
                    found = twin if twin.value != fact.value else fact
                    break
            self._later[key] = found
        return self._later[key]


def column_key(doc: str, fact: Fact) -> tuple:
    """The column of a release that prints the fact's statement and period. The period's dates
    stand for it: they hash in C, a Period (a dataclass) hashes in Python."""
    period = fact.period
    return (doc, fact.statement, period.start, period.end, period.instant)


def unit_fits(fact: Fact, units: Optional[frozenset]) -> bool:
    return units is None or fact.unit in units


def segment_key(segment: Optional[str]) -> Optional[str]:
    return normalize_label(segment) if segment else None


def operand_units(claim: Claim, metric: Metric) -> Optional[frozenset]:
    """The units table facts may carry: the claim's own for levels and differences, else the
    metric's natural units (revenue's USD for a percentage change); None accepts any."""
    if claim.kind in (Kind.AMOUNT, Kind.CHANGE) and metric.id not in MARGINS:
        return frozenset({claim.unit})
    natural = frozenset(metric.units) - {Unit.PERCENT, Unit.POINTS, Unit.RATIO}
    return natural or None


# ---------------------------------------------------------------------------------------------
# Tolerances (spec/reconciliation.md)


@dataclass(frozen=True)
class Band:
    """A kind's tolerances: `exact` for no qualifier, `floor` the least "approximately"/"nearly"
    allow, `half` the overshoot "nearly" allows."""

    exact: Decimal
    floor: Decimal
    half: Decimal


def band(claim: Claim, unit_digit: Decimal) -> Band:
    """The spec's tolerance row for the claim's kind; ratios in words ignore the stated digits."""
    half = unit_digit / 2
    if claim.kind is Kind.AMOUNT:
        return Band(half, unit_digit, half)
    if claim.kind is Kind.CHANGE:
        return Band(3 * half, 3 * half, half)
    if claim.kind in (Kind.PCT_CHANGE, Kind.MARGIN_CHANGE) or claim.unit is Unit.PERCENT:
        return Band(half + Decimal("0.5"), unit_digit, half)
    words = Decimal("0.5") if claim.value >= 2 else Decimal("0.025")  # "doubled" vs "two-thirds"
    return Band(words, words, words)


def round_threshold(value: Decimal) -> bool:
    """A figure of at most two significant digits ("more than 2,500", "over $30 million")."""
    return value == 0 or len(value.normalize().as_tuple().digits) <= 2


def confirms(claim: Claim, table: Decimal, unit_digit: Decimal) -> bool:
    """Whether the table figure is what the stated figure says, under its qualifier."""
    stated = claim.value
    high = claim.value_high if claim.value_high is not None else stated
    tol = band(claim, unit_digit)
    qualifier = claim.qualifier
    if qualifier is Qualifier.MORE_THAN:
        return table > stated or (table == stated and round_threshold(stated))
    if qualifier is Qualifier.LESS_THAN:
        return table < stated
    if qualifier is Qualifier.UP_TO:
        return table <= high
    if qualifier is Qualifier.APPROXIMATELY:
        slack = max(tol.floor, abs(stated) * Decimal("0.05"))
        return stated - slack <= table <= high + slack
    if qualifier is Qualifier.NEARLY:
        return stated - max(tol.floor, abs(stated) * Decimal("0.10")) <= table <= high + tol.half
    return stated - tol.exact <= table <= high + tol.exact


def shown(value: Decimal) -> Decimal:
    """A derived quotient cut to four decimal places; printed and summed figures stay exact."""
    exponent = value.as_tuple().exponent
    return value.quantize(SHOWN_PLACES) if isinstance(exponent, int) and exponent < -4 else value


# ---------------------------------------------------------------------------------------------
# Public API


def reconcile(claims: Sequence[Claim], facts: Sequence[Fact],
              metrics: Mapping[str, Metric]) -> list[Claim]:
    """Judge each claim against the tables; same order, each with status, table value and evidence.

    `facts` may hold several releases of one issuer: a claim is judged with its own release's
    facts first, and with the others only where its own cannot decide."""
    tables = Tables(facts, metrics)
    return [judge(claim, tables) for claim in claims]


def reconcile_issuer(claims: Sequence[Claim], facts: Sequence[Fact], issuer: Optional[str],
                     metrics: Mapping[str, Metric]) -> tuple[list[Claim], list[Restatement]]:
    """reconcile() and find_restatements() over the same facts, which they then index only once."""
    tables = Tables(facts, metrics)
    return [judge(claim, tables) for claim in claims], restatements(tables, issuer)


def judge(claim: Claim, tables: Tables) -> Claim:
    metric = tables.metrics.get(claim.metric)
    if metric is None or claim.period is None:
        return unverifiable(claim)
    measure = tables.measure(claim, metric)
    return unverifiable(claim) if measure is None else verdict(claim, measure, tables)


def unverifiable(claim: Claim) -> Claim:
    """The claim judged unverifiable; one not judged yet is that already (frozen: it serves as is)."""
    if unjudged(claim):
        return claim
    return replace(claim, status=Status.UNVERIFIABLE, table_value=None, delta=None,
                   evidence=None, restated_value=None)


def unjudged(claim: Claim) -> bool:
    return (claim.status is Status.UNVERIFIABLE and claim.table_value is None and claim.delta is None
            and claim.evidence is None and claim.restated_value is None)


def verdict(claim: Claim, measure: Measure, tables: Tables) -> Claim:
    exact = measure.exact
    unit_digit = claim.precision or Decimal(0)
    if claim.kind in (Kind.AMOUNT, Kind.CHANGE):
        unit_digit = max(unit_digit, measure.precision)
    table = shown(exact)
    facts = measure.facts
    restated = restated_measure(measure, facts, claim.doc, tables)
    evidence = Evidence(measure.formula(tables.tag), tuple(operand(fact) for fact in facts),
                        cross_release=any(fact.doc != claim.doc for fact in facts))
    return replace(
        claim,
        status=Status.MATCH if confirms(claim, exact, unit_digit) else Status.MISMATCH,
        table_value=table, delta=claim.value - table, evidence=evidence,
        restated_value=shown(restated) if restated is not None and restated != exact else None)


def restated_measure(measure: Measure, facts: Sequence[Fact], doc: str,
                     tables: Tables) -> Optional[Decimal]:
    """The measure over the figures later releases print instead, or None when none differs."""
    def swap(fact: Fact) -> Fact:
        return tables.latest_restatement(fact, doc)
    if all(swap(fact) is fact for fact in facts):
        return None  # the measure as printed: the restated value is the exact one
    return measure.value(swap)


def find_restatements(facts: Sequence[Fact], issuer: Optional[str],
                       metrics: Optional[Mapping[str, Metric]] = None) -> list[Restatement]:
    """Lines whose figure for one period differs between two consecutive releases that print it.

    Releases are ordered by their latest column; `line` is the earlier release's line. The
    vocabulary (the project's own by default) pairs lines worded differently."""
    tables = Tables(facts, load_resources().metrics if metrics is None else metrics)
    return restatements(tables, issuer)


def restatements(tables: Tables, issuer: Optional[str]) -> list[Restatement]:
    columns: dict[tuple, set] = {}
    for doc, *column in tables.by_column:
        columns.setdefault(tuple(column), set()).add(doc)
    found = []
    for column, docs in columns.items():
        for earlier, later in pairwise(sorted(docs, key=lambda doc: (tables.rank(doc), doc))):
            for fact in unambiguous(tables.by_column[(earlier, *column)]):
                twin = tables.counterpart(fact, later)
                if twin is not None and twin.value != fact.value:
                    found.append((fact, twin))
    found.sort(key=lambda pair: (tables.rank(pair[0].doc), pair[0].doc, tables.rank(pair[1].doc),
                                 pair[1].doc, FLOW_STATEMENTS.index(pair[0].statement),
                                 pair[0].line_no, pair[0].start))
    return [Restatement(issuer=issuer, line=fact.line, statement=fact.statement, period=fact.period,
                        first_doc=fact.doc, first_value=fact.value,
                        later_doc=twin.doc, later_value=twin.value) for fact, twin in found]


def unambiguous(lines: Mapping[str, list[Fact]]) -> list[Fact]:
    """One fact per line of a column; a line printed twice with different figures is skipped."""
    return [fact for fact in map(sole, lines.values()) if fact is not None]


def sole(facts: Sequence[Fact]) -> Optional[Fact]:
    """The figure a column prints on a line, or None when it prints the line twice, differently."""
    return facts[0] if len({fact.value for fact in facts}) == 1 else None


def corroborate(claims: Sequence[Claim]) -> list[Corroboration]:
    """Claims of different releases about the same metric, unit and period: do they agree?

    Two stated figures agree when they can be roundings of one true figure: their rounding
    intervals (value +- precision/2) overlap."""
    groups: dict[tuple, list[Claim]] = {}
    for claim in claims:
        if claim.period is not None:
            groups.setdefault(corroboration_key(claim), []).append(claim)
    out = []
    for group in groups.values():
        if len({claim.doc for claim in group}) < 2:
            continue
        agree = all(compatible(a, b) for a, b in pairs_across_releases(group))
        out.append(Corroboration(
            metric=group[0].metric, period=group[0].period, unit=group[0].unit, agree=agree,
            claims=tuple({"doc": claim.doc, "start": claim.start, "end": claim.end,
                          "text": claim.text, "value": claim.value} for claim in group)))
    return out


def corroboration_key(claim: Claim) -> tuple:
    return (claim.metric, claim.unit, claim.kind, claim.period, claim.base_period,
            claim.segment, claim.qualifier)


def pairs_across_releases(group: Sequence[Claim]) -> Iterable[tuple[Claim, Claim]]:
    for index, first in enumerate(group):
        for second in group[index + 1:]:
            if first.doc != second.doc:
                yield first, second


def compatible(first: Claim, second: Claim) -> bool:
    slack = (first.precision + second.precision) / 2
    if abs(first.value - second.value) > slack:
        return False
    if first.value_high is None or second.value_high is None:
        return first.value_high is None and second.value_high is None
    return abs(first.value_high - second.value_high) <= slack
