"""Fiscal calendars and period phrases: "the second quarter of 2002", "a year ago" -> Period.

The phrase vocabulary is data (`patterns/periods.jsonl`, one rule a line: id, regex, ref,
example); this module compiles it, finds the phrases in a sentence and resolves each against a
`PeriodContext` (the release's fiscal calendar and reporting quarter).

Rule regexes are case-insensitive and may use these macros, expanded before compiling into the
named groups the resolver reads: <ORDINAL> (first..fourth, 1st..4th), <YEAR> and <YEAR2>
(2002, '05, fiscal 2006, fiscal year 2005, FY05), <MONTH> (June, Sept., Oct), <DAY> (1..31),
<COUNT> (two, six, 13). A literal space in a rule matches any run of whitespace (EDGAR text
breaks lines anywhere), so rules write `[-\\s]`, not a space, inside a character class. Every
rule is anchored at word boundaries. Rules start with a required word, not an optional "the":
the regex engine then skips ahead to that word, which keeps a sentence scan well under 0.2 ms.
Over a whole release each rule is tried only at the words its matches can start with (see
rulegates.py), derived from its regex.

Year labels name fiscal years: "2002" in "the second quarter of 2002" is fiscal 2002, which for
a calendar-year issuer is the calendar year.
"""
from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
from itertools import chain

import regex  # the rules scan a third faster than with re; already dateparser's dependency
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Iterator, Optional, Sequence

import dateparser

from . import rulegates

from .models import Period

__all__ = [
    "RefKind", "PeriodRule", "PeriodMention", "FiscalCalendar", "PeriodContext",
    "compile_period_rules", "find_period_mentions", "infer_calendar", "build_context",
    "context_from_mentions",
    "resolve", "resolve_periods", "quarter_of_fiscal_year", "prior_quarter",
    "year_ago", "as_instant", "as_span", "read_date",
]


class RefKind(str, Enum):
    """What a period phrase refers to, relative to the release's reporting quarter."""

    CURRENT = "current"                      # the quarter, this period
    QUARTER = "quarter"                      # second quarter (of 2002 / of this year)
    QUARTER_LAST_YEAR = "quarter_last_year"  # the prior year's second quarter
    QUARTER_BOTH_YEARS = "quarter_both_years"  # the second quarters this year and last year
    PRIOR_QUARTER = "prior_quarter"          # the prior quarter, sequentially
    YEAR_AGO = "year_ago"                    # the same period a year ago
    COMPARED_PERIODS = "compared_periods"    # in each period, between periods
    YTD = "ytd"                              # year-to-date
    FIRST_N_MONTHS = "first_n_months"        # the first six months (of fiscal 2005)
    HALF = "half"                            # the first half (of 2005)
    FISCAL_YEAR = "fiscal_year"              # fiscal 2004, the full year
    PRIOR_FISCAL_YEAR = "prior_fiscal_year"  # last fiscal year
    PRIOR_FISCAL_YEARS_EACH = "prior_fiscal_years_each"  # for the last two years ... a year
    PRIOR_FISCAL_YEARS_SPAN = "prior_fiscal_years_span"  # over the past three years
    CALENDAR_YEAR = "calendar_year"          # calendar 2002
    PERIOD_END = "period_end"                # at quarter-end, at the end of the second quarter
    QUARTER_START = "quarter_start"          # began the second quarter with
    FISCAL_YEAR_END = "fiscal_year_end"      # at fiscal year-end
    MONTHS_ENDED = "months_ended"            # the six months ended June 30, 2003
    WEEKS_ENDED = "weeks_ended"              # the 13 weeks ended July 31, 2004
    QUARTER_ENDED = "quarter_ended"          # the quarter ended June 30, 2003
    YEAR_ENDED = "year_ended"                # the fiscal year ended March 31, 2004
    DATE = "date"                            # on November 9, 2005 (a one-day span)
    AS_OF = "as_of"                          # as of June 30, 2003 (an instant)
    MONTH = "month"                          # in October 2005
    YEAR_OF_PERIOD = "year_of_period"        # the 2002 period, in 2003 and 2002 (as the table
                                             # columns print the year: that of the quarter's end)


_ORDINAL_WORDS = "first|second|third|fourth|1st|2nd|3rd|4th"
_YEAR_BODY = (r"(?:(?:fiscal(?:[-\s]+year)?\s+|fy\s?'?)(?:(?:19|20)\d\d|\d\d)|(?:19|20)\d\d|'\d\d)"
              r"(?!\d)")
_MACROS = {
    "<ORDINAL>": rf"(?P<ordinal>{_ORDINAL_WORDS})",
    "<YEAR>": rf"(?P<year>{_YEAR_BODY})",
    "<YEAR2>": rf"(?P<year2>{_YEAR_BODY})",
    "<MONTH>": (r"(?P<month>jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|"
                r"june?|july?|aug(?:ust|\.)?|sept?(?:ember|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|"
                r"dec(?:ember|\.)?)"),
    "<DAY>": r"(?P<day>[0-3]?\d)(?!\d)(?:st|nd|rd|th)?",
    "<COUNT>": (r"(?P<count>one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                r"thirteen|twenty[-\s]six|thirty[-\s]nine|fifty[-\s]two|fifty[-\s]three|\d{1,2})"),
}
_GROUPS = frozenset({"ordinal", "year", "year2", "month", "day", "count"})
_RULE_KEYS = frozenset({"id", "regex", "ref", "example"})
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
                 "twenty six": 26, "thirty nine": 39, "fifty two": 52, "fifty three": 53}
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
             "fourth": 4, "4th": 4}
_QUARTER_DAYS = range(84, 99)        # a reported quarter: three months or 13 (+/-1) weeks
_SNAP_DAYS = 7                       # a computed period this close to a table column is that column
_LITERAL_REFS = frozenset({RefKind.DATE, RefKind.AS_OF, RefKind.MONTH, RefKind.MONTHS_ENDED,
                           RefKind.WEEKS_ENDED, RefKind.QUARTER_ENDED, RefKind.YEAR_ENDED,
                           RefKind.CALENDAR_YEAR})


# --------------------------------------------------------------------------- rules

@dataclass(frozen=True)
class PeriodRule:
    """One compiled line of patterns/periods.jsonl.

    `heads`: the first letters (up to five; the whole of a shorter word) of the word every match
    starts with, derived from the regex (see rulegates.derive_heads); None if none could be derived.
    """

    id: str
    regex: str
    ref: RefKind
    example: str
    pattern: re.Pattern
    heads: Optional[frozenset[str]] = None


@dataclass(frozen=True)
class PeriodMention:
    """A period phrase found in a sentence: `sentence[start:end] == text`."""

    start: int
    end: int
    text: str
    rule_id: str
    ref: RefKind
    groups: tuple[tuple[str, str], ...] = ()

    def group(self, name: str) -> Optional[str]:
        return dict(self.groups).get(name)


def _expand(regex: str) -> str:
    """Macros to named groups, spaces to whitespace runs, word boundaries around the rule."""
    for macro, body in _MACROS.items():
        regex = regex.replace(macro, body)
    return r"(?<!\w)(?:" + regex.replace(" ", r"[\s\xa0]+") + r")(?!\w)"


def _compile_rule(row: dict) -> PeriodRule:
    ident = row.get("id")
    unknown = set(row) - _RULE_KEYS
    missing = _RULE_KEYS - set(row)
    if unknown or missing:
        raise ValueError(f"period rule {ident!r}: unknown keys {sorted(unknown)}, "
                         f"missing keys {sorted(missing)}")
    try:
        ref = RefKind(row["ref"])
    except ValueError:
        raise ValueError(f"period rule {ident!r}: unknown ref {row['ref']!r}") from None
    expanded = _expand(row["regex"])
    heads = rulegates.derive_heads(expanded)
    try:
        pattern = regex.compile(rulegates.unsearched(expanded) if heads else expanded,
                                regex.IGNORECASE | regex.ASCII | regex.V0)
    except (re.error, regex.error) as error:
        raise ValueError(f"period rule {ident!r}: bad regex: {error}") from None
    stray = set(pattern.groupindex) - _GROUPS
    if stray:
        raise ValueError(f"period rule {ident!r}: unknown groups {sorted(stray)}")
    if not pattern.search(row["example"]):
        raise ValueError(f"period rule {ident!r}: its regex does not match its example")
    return PeriodRule(id=ident, regex=row["regex"], ref=ref, example=row["example"],
                      pattern=pattern, heads=heads)


def compile_period_rules(rows: list[dict]) -> tuple[PeriodRule, ...]:
    """Validate and compile the rule lines; any fault is a ValueError naming the rule id."""
    rules = tuple(_compile_rule(row) for row in rows)
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ValueError(f"period rule {rule.id!r}: duplicate id")
        seen.add(rule.id)
    return rules


def _rule_matches(rule: PeriodRule, sentence: str,
                  word_heads: dict[str, list[int]]) -> Iterator[regex.Match]:
    """What `rule.pattern.finditer(sentence)` finds, trying only the words the rule can start at.

    finditer takes the first match at or after the end of the last one; a gated rule's matches
    start only where `word_heads` lists one of its heads, so trying those in order is the same.
    """
    if rule.heads is None:
        yield from rule.pattern.finditer(sentence)
        return
    starts = sorted(chain.from_iterable(word_heads[head]
                                        for head in word_heads.keys() & rule.heads))
    end = 0
    for start in starts:
        if start >= end and (match := rule.pattern.match(sentence, start)):
            yield match
            end = match.end()


def _candidates(sentence: str, rules: Sequence[PeriodRule]) -> list[PeriodMention]:
    found = []
    word_heads = rulegates.word_heads(sentence, frozenset().union(*(rule.heads for rule in rules
                                                           if rule.heads is not None)))
    for rule in rules:
        for match in _rule_matches(rule, sentence, word_heads):
            if match.end() > match.start():
                groups = tuple((name, value) for name, value in match.groupdict().items()
                               if value is not None)
                found.append(PeriodMention(match.start(), match.end(), match.group(), rule.id,
                                           rule.ref, groups))
    return found


def find_period_mentions(sentence: str, rules: Sequence[PeriodRule]) -> list[PeriodMention]:
    """Longest non-overlapping rule matches, in text order (earlier rules win ties)."""
    chosen: list[PeriodMention] = []
    ranked = sorted(enumerate(_candidates(sentence, rules)),
                    key=lambda item: (item[1].start - item[1].end, item[1].start, item[0]))
    for _, mention in ranked:
        if all(mention.end <= kept.start or mention.start >= kept.end for kept in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda mention: mention.start)


# --------------------------------------------------------------------------- token readers

def _read_ordinal(text: Optional[str]) -> Optional[int]:
    """'second', '2nd', 'Q2' or '2' -> 2."""
    if not text:
        return None
    text = text.lower().lstrip("q")
    return int(text) if text.isdigit() else _ORDINALS.get(text)


def _read_count(text: Optional[str]) -> Optional[int]:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    return _NUMBER_WORDS.get(" ".join(re.split(r"[-\s]+", text.lower())))


def _read_year(text: Optional[str]) -> Optional[int]:
    """'2002', 'fiscal year 2005', "'05", 'FY05' -> the four-digit year (two digits: 20xx < 70)."""
    if not text:
        return None
    digits = re.search(r"(\d+)$", text)
    if not digits:
        return None
    year = int(digits.group(1))
    if len(digits.group(1)) == 2:
        year += 2000 if year < 70 else 1900
    return year


@lru_cache(maxsize=4096)
def read_date(span: str) -> Optional[dt.date]:
    """A 'Month day, year' span found by a rule -> date, or None. Every dateparser quirk lives here.

    dateparser only ever sees these short spans: over prose it reads "we" as Wednesday and
    "$15" as a day. So a span must carry a month word, a day and a four-digit year (no guessing
    of the year from today's clock); strict parsing refuses partial dates; the trailing dot of
    "Oct." and parentheses around "(Oct. 24, 2005.)" are dropped first.
    """
    span = span.strip(" \t\r\n().,;")
    if not re.fullmatch(r"[A-Za-z]{3,9}\.?\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d", span):
        return None
    cleaned = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", span.replace(".", " "))
    parsed = dateparser.parse(cleaned, languages=["en"],
                              settings={"STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first"})
    return parsed.date() if parsed else None


# --------------------------------------------------------------------------- calendar

def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, _calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clipped to the month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, _calendar.monthrange(year, month + 1)[1]))


def _nearest_month(day: dt.date) -> int:
    """The month whose end is nearest `day` (Jan 29 and Feb 1 both belong to January)."""
    return day.month if day.day >= 15 else (day.month - 2) % 12 + 1


def _is_month_aligned(period: Period) -> bool:
    if period.instant is not None:
        return period.instant == _month_end(period.instant.year, period.instant.month)
    return (period.start.day == 1
            and period.end == _month_end(period.end.year, period.end.month))


@dataclass(frozen=True)
class FiscalCalendar:
    """When an issuer's fiscal year ends, and how its years are named.

    `end_weekday` is set for 52/53-week years that end on that weekday (0 = Monday) nearest the
    end of `end_month`; their quarters are 13 weeks (the fourth 14 in a 53-week year).
    `named_by_start_year`: fiscal 2004 ends in 2005 (retailers ending in January do this).
    """

    end_month: int = 12
    end_weekday: Optional[int] = None
    named_by_start_year: bool = False

    @property
    def weeks(self) -> bool:
        return self.end_weekday is not None

    def year_end(self, fiscal_year: int) -> dt.date:
        month_end = _month_end(fiscal_year + int(self.named_by_start_year), self.end_month)
        if self.end_weekday is None:
            return month_end
        back = (month_end.weekday() - self.end_weekday) % 7
        return month_end - dt.timedelta(days=back) if back <= 3 else \
            month_end + dt.timedelta(days=7 - back)

    def year_start(self, fiscal_year: int) -> dt.date:
        return self.year_end(fiscal_year - 1) + dt.timedelta(days=1)

    def year_span(self, fiscal_year: int) -> Period:
        return Period.span(self.year_start(fiscal_year), self.year_end(fiscal_year))

    def fiscal_year_of(self, day: dt.date) -> int:
        guess = day.year - int(self.named_by_start_year)
        return next(year for year in (guess, guess + 1, guess - 1)
                    if self.year_start(year) <= day <= self.year_end(year))

    def quarter(self, number: int, fiscal_year: int) -> Period:
        """Quarter `number` (1-4) of a fiscal year, before any snapping to table columns."""
        start = self.year_start(fiscal_year)
        if self.weeks:
            first = start + dt.timedelta(days=91 * (number - 1))
            last = self.year_end(fiscal_year) if number == 4 else first + dt.timedelta(days=90)
            return Period.span(first, last)
        return Period.span(_add_months(start, 3 * (number - 1)),
                           _add_months(start, 3 * number) - dt.timedelta(days=1))

    def quarter_of(self, day: dt.date) -> tuple[int, int]:
        """(fiscal year, quarter number) of the quarter holding `day`."""
        year = self.fiscal_year_of(day)
        return year, next(number for number in (1, 2, 3, 4)
                          if day <= self.quarter(number, year).end)

    def months_span(self, start: dt.date, months: int) -> Period:
        """`months` months from `start`: whole 13-week quarters on a 52/53-week calendar."""
        if self.weeks:
            return Period.span(start, start + dt.timedelta(days=round(months * 91 / 3) - 1))
        return Period.span(start, _add_months(start, months) - dt.timedelta(days=1))


# --------------------------------------------------------------------------- inference

def _table_quarter(table_periods: Sequence[Period]) -> Optional[Period]:
    """The reporting quarter of the tables: the latest three-month / 13-week column."""
    quarters = [period for period in table_periods if period.days in _QUARTER_DAYS]
    return max(quarters, key=lambda period: (period.end, period.start), default=None)


def _literal_period(mention: PeriodMention, release_date: Optional[dt.date]) -> Optional[Period]:
    """Periods a phrase states outright (dates, 'six months ended June 30, 2003')."""
    year = _read_year(mention.group("year"))
    month, day = mention.group("month"), mention.group("day")
    if mention.ref is RefKind.CALENDAR_YEAR:
        return Period.span(dt.date(year, 1, 1), dt.date(year, 12, 31)) if year else None
    if mention.ref is RefKind.MONTH:
        return _month_period(month, year, release_date)
    on = _dated(month, day, year, release_date)
    if on is None:
        return None
    if mention.ref is RefKind.DATE:
        return Period.span(on, on)
    if mention.ref is RefKind.AS_OF:
        return Period.at(on)
    count = _read_count(mention.group("count"))
    if mention.ref is RefKind.MONTHS_ENDED and 0 < (count or 0) <= 60:
        return Period.months_ending(on, count)
    if mention.ref is RefKind.WEEKS_ENDED and 0 < (count or 0) <= 60:
        return Period.weeks_ending(on, count)
    if mention.ref is RefKind.QUARTER_ENDED:
        return Period.months_ending(on, 3) if _is_month_aligned(Period.at(on)) else \
            Period.weeks_ending(on, 13)
    if mention.ref is RefKind.YEAR_ENDED:
        return Period.months_ending(on, 12) if _is_month_aligned(Period.at(on)) else \
            Period.weeks_ending(on, 52)
    return None


def _dated(month: Optional[str], day: Optional[str], year: Optional[int],
           release_date: Optional[dt.date]) -> Optional[dt.date]:
    """A month and day; without a year, the occurrence nearest the release date."""
    if not month or not day:
        return None
    if year:
        return read_date(f"{month} {day}, {year}")
    if release_date is None:
        return None
    options = [read_date(f"{month} {day}, {release_date.year + shift}") for shift in (-1, 0, 1)]
    options = [option for option in options if option]
    return min(options, key=lambda option: abs((option - release_date).days), default=None)


def _month_period(month: Optional[str], year: Optional[int],
                  release_date: Optional[dt.date]) -> Optional[Period]:
    """A month, its year stated or the one nearest the release date."""
    first = _dated(month, "1", year, release_date)
    if first is None:
        return None
    if year is None and release_date is not None and (first - release_date).days > 31:
        first = first.replace(year=first.year - 1)
    return Period.span(first, _month_end(first.year, first.month))


def _prose_quarter(mentions: Sequence[PeriodMention],
                   release_date: Optional[dt.date]) -> Optional[Period]:
    """The quarter a release says it reports ("results for the quarter ended June 30, 2003")."""
    for mention in mentions:
        if mention.ref in (RefKind.QUARTER_ENDED, RefKind.MONTHS_ENDED, RefKind.WEEKS_ENDED):
            period = _literal_period(mention, release_date)
            if period is not None and period.days in _QUARTER_DAYS:
                return period
    return None


def _last_quarter_before(day: dt.date, calendar: FiscalCalendar) -> Period:
    """The last full quarter before a release date: what a release without tables reports."""
    year, number = calendar.quarter_of(day)
    return calendar.quarter(number - 1, year) if number > 1 else calendar.quarter(4, year - 1)


def _week_weekday(current: Optional[Period]) -> Optional[int]:
    """The weekday 52/53-week periods end on, if the reporting quarter is not month-aligned."""
    if current is None or current.is_instant or _is_month_aligned(current):
        return None
    return current.end.weekday()


def _end_month_from_cumulative(current: Period, table_periods: Sequence[Period]) -> Optional[int]:
    """A year-to-date column ending with the quarter starts the fiscal year."""
    cumulative = [period for period in table_periods
                  if period.end == current.end and current.days + 28 < period.days <= 371]
    longest = max(cumulative, key=lambda period: period.days, default=None)
    return _nearest_month(longest.start - dt.timedelta(days=1)) if longest else None


def _quarter_statements(mentions: Sequence[PeriodMention]) -> list[tuple[int, Optional[int]]]:
    """(ordinal, year label) of each 'second quarter (of fiscal 2005)' the prose names."""
    return [(_read_ordinal(mention.group("ordinal")), _read_year(mention.group("year")))
            for mention in mentions
            if mention.ref is RefKind.QUARTER and _read_ordinal(mention.group("ordinal"))]


def _end_month_from_prose(statements: Sequence[tuple[int, Optional[int]]], current: Period,
                          weekday: Optional[int]) -> Optional[int]:
    """The reporting quarter is quarter n: the fiscal year ends 4 - n quarters after it."""
    if not statements:
        return None
    latest = max(statements, key=lambda item: item[1] or 0)
    number = latest[0] if latest[1] else statements[0][0]
    if weekday is not None:
        return _nearest_month(current.end + dt.timedelta(days=91 * (4 - number)))
    return _nearest_month(_add_months(current.end, 3 * (4 - number)))


def _end_month_from_balance_sheet(current: Period,
                                  table_periods: Sequence[Period]) -> Optional[int]:
    """A balance sheet beside the quarter's shows the last fiscal year end (not a year ago)."""
    earlier = [period.instant for period in table_periods if period.instant is not None
               and 20 < (current.end - period.instant).days < 350]
    return _nearest_month(max(earlier)) if earlier else None


def _named_by_start(statements: Sequence[tuple[int, Optional[int]]], current: Period,
                    calendar: FiscalCalendar) -> bool:
    """Fiscal 2004 ends in 2005 only where the prose names the reporting quarter that way."""
    if calendar.end_month > 6:
        return False
    year, number = calendar.quarter_of(current.end)
    labels = {label for ordinal, label in statements if ordinal == number and label}
    if year in labels:
        return False
    return year - 1 in labels or (not labels and calendar.end_month == 1)


def _calendar_and_quarter(
        mentions: Sequence[PeriodMention], release_date: Optional[dt.date],
        table_periods: Sequence[Period]) -> tuple[FiscalCalendar, Optional[Period]]:
    """The fiscal calendar, and the reporting quarter if the tables or the prose state it."""
    stated = _table_quarter(table_periods) or _prose_quarter(mentions, release_date)
    current = stated
    if current is None and release_date is not None:
        current = _last_quarter_before(release_date, FiscalCalendar())
    if current is None:
        return FiscalCalendar(), None
    weekday = _week_weekday(current)
    statements = _quarter_statements(mentions)
    end_month = (_end_month_from_cumulative(current, table_periods)
                 or _end_month_from_prose(statements, current, weekday)
                 or _end_month_from_balance_sheet(current, table_periods) or 12)
    calendar = FiscalCalendar(end_month=end_month, end_weekday=weekday)
    named = _named_by_start(statements, current, calendar)
    return FiscalCalendar(end_month, weekday, named), stated


def infer_calendar(text: str, release_date: Optional[dt.date], table_periods: Sequence[Period],
                   rules: Sequence[PeriodRule] = ()) -> FiscalCalendar:
    """The issuer's fiscal calendar from this release alone.

    The fiscal year starts where the year-to-date column starts; failing that, the prose's
    "second quarter" beside the reporting quarter places it; failing that, the balance sheet's
    earlier column is the last year end; failing all, the calendar year. Without `rules` the
    prose is not read.
    """
    return _calendar_and_quarter(find_period_mentions(text, rules), release_date,
                                 table_periods)[0]


@dataclass(frozen=True)
class PeriodContext:
    """What relative phrases are relative to: the release, its calendar and reporting quarter."""

    release_date: Optional[dt.date]
    calendar: FiscalCalendar
    current: Optional[Period]
    table_periods: tuple[Period, ...] = ()


def build_context(text: str, release_date: Optional[dt.date], table_periods: Sequence[Period],
                  rules: Sequence[PeriodRule] = ()) -> PeriodContext:
    """Calendar and reporting quarter of one release (the last full quarter if nothing says)."""
    return context_from_mentions(find_period_mentions(text, rules), release_date, table_periods)


def context_from_mentions(mentions: Sequence[PeriodMention], release_date: Optional[dt.date],
                          table_periods: Sequence[Period]) -> PeriodContext:
    """As build_context, from mentions already found (the pipeline scans its prose once)."""
    calendar, current = _calendar_and_quarter(mentions, release_date, table_periods)
    if current is None and release_date is not None:
        current = _last_quarter_before(release_date, calendar)
    return PeriodContext(release_date, calendar, current, tuple(table_periods))


# --------------------------------------------------------------------------- arithmetic

def _snap(period: Period, ctx: PeriodContext) -> Period:
    """A computed period within a week of a table column is that column (52/53-week years)."""
    if period in ctx.table_periods:
        return period
    if period.is_instant:
        near = [other for other in ctx.table_periods if other.is_instant
                and abs((other.instant - period.instant).days) < _SNAP_DAYS]
        return min(near, key=lambda other: abs((other.instant - period.instant).days),
                   default=period)
    near = [other for other in ctx.table_periods if not other.is_instant
            and abs((other.end - period.end).days) < _SNAP_DAYS
            and abs(other.days - period.days) <= _SNAP_DAYS]
    return min(near, key=lambda other: abs((other.end - period.end).days), default=period)


def _current_quarter(ctx: PeriodContext) -> tuple[int, int]:
    """(fiscal year, quarter number) of the reporting quarter, judged by its middle day."""
    middle = ctx.current.start + dt.timedelta(days=ctx.current.days // 2)
    return ctx.calendar.quarter_of(middle)


def quarter_of_fiscal_year(number: int, fiscal_year: int, ctx: PeriodContext) -> Period:
    """Quarter `number` of `fiscal_year`, as the tables print it where they do."""
    return _snap(ctx.calendar.quarter(number, fiscal_year), ctx)


def prior_quarter(period: Period, ctx: PeriodContext) -> Period:
    """The quarter before the one holding `period` (an instant gives the prior quarter's end)."""
    day = period.instant or period.start + dt.timedelta(days=period.days // 2)
    year, number = ctx.calendar.quarter_of(day)
    year, number = (year, number - 1) if number > 1 else (year - 1, 4)
    quarter = quarter_of_fiscal_year(number, year, ctx)
    return _snap(Period.at(quarter.end), ctx) if period.is_instant else quarter


def _day_year_ago(day: dt.date, month_aligned: bool) -> dt.date:
    if not month_aligned:
        return day - dt.timedelta(weeks=52)
    if day == _month_end(day.year, day.month):
        return _month_end(day.year - 1, day.month)
    return _add_months(day, -12)


def year_ago(period: Period) -> Period:
    """The same period a year earlier: 12 months back, or 52 weeks for week-based periods."""
    aligned = _is_month_aligned(period)
    if period.is_instant:
        return Period.at(_day_year_ago(period.instant, aligned))
    return Period.span(_day_year_ago(period.start, aligned), _day_year_ago(period.end, aligned))


def as_instant(period: Period) -> Period:
    """A level's date: the end of a span (backlog 'for the quarter' is backlog at its end)."""
    return period if period.is_instant else Period.at(period.end)


def as_span(period: Period, ctx: PeriodContext) -> Period:
    """A flow's span: an instant becomes the quarter ending on it ('revenues at quarter end')."""
    if not period.is_instant:
        return period
    year, number = ctx.calendar.quarter_of(period.instant)
    return quarter_of_fiscal_year(number, year, ctx)


# --------------------------------------------------------------------------- resolution

def _fiscal_label(mention: PeriodMention, ctx: PeriodContext) -> int:
    """The fiscal year a mention names, or the reporting quarter's when it names none."""
    return _read_year(mention.group("year")) or _current_quarter(ctx)[0]


def _quarter_refs(mention: PeriodMention, ctx: PeriodContext) -> tuple[Period, ...]:
    number = _read_ordinal(mention.group("ordinal"))
    if number is None or not 1 <= number <= 4:
        return ()
    year = _fiscal_label(mention, ctx)
    if mention.ref is RefKind.QUARTER:
        return (quarter_of_fiscal_year(number, year, ctx),)
    if mention.ref is RefKind.QUARTER_LAST_YEAR:
        return (quarter_of_fiscal_year(number, year - 1, ctx),)
    return (quarter_of_fiscal_year(number, year, ctx),
            quarter_of_fiscal_year(number, year - 1, ctx))


def _year_refs(mention: PeriodMention, ctx: PeriodContext) -> tuple[Period, ...]:
    year = _fiscal_label(mention, ctx)
    calendar = ctx.calendar
    count = _read_count(mention.group("count")) or 0
    if mention.ref is RefKind.FISCAL_YEAR:
        return (_snap(calendar.year_span(year), ctx),)
    if mention.ref is RefKind.PRIOR_FISCAL_YEAR:
        return (_snap(calendar.year_span(year - 1), ctx),)
    if mention.ref is RefKind.PRIOR_FISCAL_YEARS_EACH and 0 < count <= 20:
        return tuple(_snap(calendar.year_span(year - back), ctx) for back in range(1, count + 1))
    if mention.ref is RefKind.PRIOR_FISCAL_YEARS_SPAN and 0 < count <= 20:
        return (Period.span(calendar.year_start(year - count), calendar.year_end(year - 1)),)
    if mention.ref is RefKind.FIRST_N_MONTHS and 0 < count <= 12:
        return (_snap(calendar.months_span(calendar.year_start(year), count), ctx),)
    if mention.ref is RefKind.FISCAL_YEAR_END:
        if not mention.group("year"):
            year = calendar.fiscal_year_of(ctx.current.end + dt.timedelta(days=1)) - 1
        return (_snap(Period.at(calendar.year_end(year)), ctx),)
    return ()


def _half_refs(mention: PeriodMention, ctx: PeriodContext) -> tuple[Period, ...]:
    number = _read_ordinal(mention.group("ordinal"))
    if number not in (1, 2):
        return ()
    year = _fiscal_label(mention, ctx)
    first = ctx.calendar.quarter(2 * number - 1, year)
    return (_snap(Period.span(first.start, ctx.calendar.quarter(2 * number, year).end), ctx),)


def _edge_refs(mention: PeriodMention, ctx: PeriodContext) -> tuple[Period, ...]:
    """Instants at a quarter's end, or just before a quarter starts."""
    number = _read_ordinal(mention.group("ordinal"))
    if number is not None and not 1 <= number <= 4:
        return ()
    year = _fiscal_label(mention, ctx)
    quarter = quarter_of_fiscal_year(number, year, ctx) if number else ctx.current
    if mention.ref is RefKind.PERIOD_END:
        return (Period.at(quarter.end),)
    return (as_instant(prior_quarter(quarter, ctx)),)


def _relative_refs(mention: PeriodMention, ctx: PeriodContext) -> tuple[Period, ...]:
    current = ctx.current
    if mention.ref is RefKind.CURRENT:
        return (current,)
    if mention.ref is RefKind.YEAR_AGO:
        return (_snap(year_ago(current), ctx),)
    if mention.ref is RefKind.COMPARED_PERIODS:
        return (current, _snap(year_ago(current), ctx))
    if mention.ref is RefKind.PRIOR_QUARTER:
        return (prior_quarter(current, ctx),)
    if mention.ref is RefKind.YTD:
        year, _ = _current_quarter(ctx)
        return (_snap(Period.span(ctx.calendar.year_start(year), current.end), ctx),)
    if mention.ref is RefKind.YEAR_OF_PERIOD:
        fiscal_year, number = _current_quarter(ctx)
        years = (_read_year(mention.group("year")), _read_year(mention.group("year2")))
        return tuple(quarter_of_fiscal_year(number, fiscal_year - (current.end.year - year), ctx)
                     for year in years if year)
    return ()


_RESOLVERS = {
    RefKind.QUARTER: _quarter_refs, RefKind.QUARTER_LAST_YEAR: _quarter_refs,
    RefKind.QUARTER_BOTH_YEARS: _quarter_refs, RefKind.HALF: _half_refs,
    RefKind.FISCAL_YEAR: _year_refs, RefKind.PRIOR_FISCAL_YEAR: _year_refs,
    RefKind.PRIOR_FISCAL_YEARS_EACH: _year_refs, RefKind.PRIOR_FISCAL_YEARS_SPAN: _year_refs,
    RefKind.FIRST_N_MONTHS: _year_refs, RefKind.FISCAL_YEAR_END: _year_refs,
    RefKind.PERIOD_END: _edge_refs, RefKind.QUARTER_START: _edge_refs,
}


@lru_cache(maxsize=8192)
def resolve_periods(mention: PeriodMention, ctx: PeriodContext) -> tuple[Period, ...]:
    """Every period a mention names, in its order ('in 2003 and 2002, respectively' names two).

    Empty when the phrase cannot be resolved (no reporting quarter known, an impossible date);
    never raises, whatever rule produced the mention.
    """
    try:
        if mention.ref in _LITERAL_REFS:
            literal = _literal_period(mention, ctx.release_date)
            return (_snap(literal, ctx),) if literal else ()
        if ctx.current is None or ctx.current.is_instant:
            return ()
        return _RESOLVERS.get(mention.ref, _relative_refs)(mention, ctx)
    except (ValueError, OverflowError, StopIteration):
        return ()


def resolve(mention: PeriodMention, ctx: PeriodContext) -> Optional[Period]:
    """The period a mention names (the first where it names several), or None."""
    periods = resolve_periods(mention, ctx)
    return periods[0] if periods else None
