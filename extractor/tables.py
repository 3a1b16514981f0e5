"""Financial statements printed as fixed-width ASCII -> Facts, and the integrity checks over them.

A statement is read by position, not by tokens alone: the figure columns are found where the
right edges of the figures cluster (figures are right-aligned), so an amount inside a wrapped
label ("... returns of $479,000 at March 31, 2004") is told apart from a figure by where it
ends. The header words above the columns are given to the columns under them, and each
column's joined header ("Three Months Ended September 30, 2004") is resolved to a Period.

Labels that wrap over several lines are joined; headings ("Current Assets:") are kept as the
section of the rows below them. A line of figures with no label of its own is given the label
"Subtotal" and the line "<section> subtotal"; a bare "Total" gets the line "total <heading>"
from the heading it closes ("Assets" -> "total assets").

Stdlib only. Nothing here raises on odd text: what cannot be read is left out.
"""
from __future__ import annotations

import datetime as dt
import math
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import NamedTuple, Optional, Union

from .models import (BlockKind, Fact, IntegrityCheck, Period, Release, Statement, Unit,
                     normalize_label)

# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class PrintedTotal:
    """A figure printed under a rule line, with the ranges of rows above that may be its parts.

    Rows are tuples of facts by column index (None where a cell is blank). Which range is the
    right one is decided in `check_integrity` by the columns themselves."""

    statement: Statement
    total: tuple[Optional[Fact], ...]
    candidates: tuple[tuple[tuple[Optional[Fact], ...], ...], ...]


@dataclass(frozen=True)
class Table:
    """One statement read: its facts in text order and the printed totals to check."""

    facts: tuple[Fact, ...]
    totals: tuple[PrintedTotal, ...]


class _Token(NamedTuple):
    """A figure as printed on a line; `start`/`end` are positions within the line, `anchor`
    where its digits end (right-aligned columns line up there, parentheses hang over). A tuple:
    there is one per figure, and a tuple is much cheaper to make than a frozen dataclass."""

    start: int
    end: int
    text: str
    anchor: int
    is_nil: bool
    is_year: bool


class _Line(NamedTuple):
    """A line of the statement, with the figures at its right end read once (a tuple, as
    _Token)."""

    offset: int  # absolute offset of the line's first character
    number: int  # 1-based line number in the whole text
    text: str
    is_rule: bool
    tokens: tuple[_Token, ...]

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip())


@dataclass(frozen=True)
class _Column:
    left: int
    right: int
    anchor_low: int
    anchor_high: int

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2

    def holds(self, token: _Token) -> bool:
        """A number ends at the column's right edge; a nil dash sits in its right half (one at
        the left edge ends a label: "of Common Stock -")."""
        if token.is_nil:
            return self.centre <= token.start and token.end <= self.right + 1
        return self.anchor_low - 1 <= token.anchor <= self.anchor_high + 1


class _Phrase(NamedTuple):
    """Words of a header line set close together (a tuple, as _Token)."""

    start: int
    end: int
    text: str


class _Boundary(Enum):
    """What separates rows in a statement body; a printed total's parts stop at some."""

    START = "start"
    RULE = "rule"
    SECTION = "section"   # "Current Assets:", or a heading with rows under it
    HEADING = "heading"   # a standalone heading: "Assets", "LIABILITIES AND EQUITY"
    BLANK = "blank"


@dataclass(frozen=True, eq=False)
class _Row:
    label: str
    line: str
    section: str
    cells: tuple[tuple[int, _Token], ...]
    source: _Line
    under_rule: bool


_Event = Union[_Row, _Boundary]


# ----------------------------------------------------------------------------- patterns

_FIGURE = re.compile(  # a figure and the blanks and dollar signs after it (none starts one)
    r"(?=[(\d.\-\u2013\u2014])"  # what a figure starts with: a fast reject of other characters
    r"(?<![\w.])(?P<figure>"
    r"\(\s*\$?\s*(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?\s*%?\s*\)"   # (1,234) ($0.11) (5%)
    r"|-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?"                   # 1,234  -12  0.11  5%
    r"|-?\.\d+%?"                                                   # .25
    r"|[-\u2013\u2014]{1,3}"                                        # nil: -, --, en/em dash
    r")(?![\w])[\s$]*")
_WORD = re.compile(r"\S+")
_NOT_DIGIT = re.compile(r"[^\d.]")
_DIGIT = re.compile(r"\d")  # on a figure's characters the same as str.isdigit
_FIGURE_ENDINGS = frozenset("0123456789)%-\u2013\u2014")
_YEAR = re.compile(r"(?:19|20)\d\d")
_RULE_CHARS = frozenset("-=_ \t\u2013\u2014")
_MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})\s*,?\s*(\d{{4}})\b", re.I)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})\b", re.I)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "sixteen": 16, "seventeen": 17, "twenty-four": 24, "twenty-six": 26, "twenty-seven": 27,
    "thirty-nine": 39, "forty": 40, "fifty-two": 52, "fifty-three": 53}
_COUNT = "|".join([r"\d{1,2}"] + [word.replace("-", r"[\s-]") for word in _NUMBER_WORDS])
_DURATION = re.compile(rf"\b({_COUNT})[\s-]+(month|week)s?\b", re.I)
_NAMED_DURATION = re.compile(r"\b(quarter|year)s?\b", re.I)
_PERIOD_WORD = re.compile(
    r"(?=[adefjmnoqstwy12])"  # what the words, months and years start with: a fast reject
    r"(?:\b(?:ended|ending|months?|weeks?|quarters?|years?|fiscal|as of|" +
    "|".join(word.replace("-", r"[\s-]") for word in _NUMBER_WORDS) +
    rf")\b|{_MONTH_DAY.pattern}|\b(?:19|20)\d\d\b)", re.I)

_STATEMENTS = (
    (Statement.CASH_FLOWS, re.compile(r"\bCASH\s+FLOWS?\b", re.I)),
    (Statement.BALANCE_SHEET, re.compile(
        r"\bBALANCE\s+SHEETS?\b|\bFINANCIAL\s+(?:POSITION|CONDITION)\b", re.I)),
    (Statement.OPERATIONS, re.compile(
        r"\bOPERATIONS\b|\bINCOME\b|\bEARNINGS\b|\bSTATEMENTS?\s+OF\s+(?:NET\s+)?LOSS\b", re.I)),
)
_SCALES = (
    (Decimal(1000), r"thousands|\$\s?000'?s?|000'?s\s+omitted|\(000'?s?\)"),
    (Decimal(1000000), r"millions|\$\s?mm?\b|\$\s?000,000"),
    (Decimal(1000000000), r"billions"),
)
_SCALE_MENTION = re.compile(
    r"(?=[sitb$0(m])"  # what a mention starts with: a fast reject of other characters
    r"(?P<shares>\bshares?\b(?:\s+\w+){0,3}?\s+)?(?:\bin\s+|\(\s*)?(?:" +
    "|".join(f"(?P<s{index}>{pattern})" for index, (_, pattern) in enumerate(_SCALES)) + ")", re.I)
_DROP_FROM_COLUMN = re.compile(r"^\(.*(?:thousand|million|billion|unaudited|audited|000).*\)$",
                               re.I)

_PER_SHARE = re.compile(r"\bper\s+(?:common\s+|ordinary\s+|basic\s+|diluted\s+)?share\b|\beps\b",
                        re.I)
_SHARES = re.compile(r"\bshares\b|\bshare\s+count\b", re.I)
_NOT_SHARE_COUNT = re.compile(r"par\s+value|at\s+cost|authori[sz]ed|\$", re.I)
_SHARE_COUNT_HEAD = re.compile(
    r"\s*(?:weighted|average|shares|number\s+of|common\s+shares|basic\s+and\s+diluted\s+shares)",
    re.I)
_PERCENT = re.compile(r"%|\bpercent(?:age)?\b", re.I)
_WRAPPING_WORDS = ("and", "or", "of", "for", "to", "in", "on", "from", "the", "a", "an", "by",
                   "with", "at", "per", "less", "plus", "before", "after", "into", "under")
_WRAPPING_END = re.compile(rf"(?:[,;&/(-]|\b(?:{'|'.join(_WRAPPING_WORDS)}))$", re.I)
# the end-anchored _WRAPPING_END sees no further back than its longest word and the character
# before it (for \b): it is searched in that tail only, not tried at every position of the line
_WRAPPING_REACH = 1 + max(len(word) for word in _WRAPPING_WORDS)

# ----------------------------------------------------------------------------- public API


def parse_table(doc: str, text: str, start: int, end: int,
                exhibit: str = "EX-99.1") -> list[Fact]:
    """Every printed figure of the statement occupying text[start:end], as Facts."""
    return list(read_table(doc, text, start, end, exhibit).facts)


def extract_tables(release: Release) -> tuple[list[Fact], list[IntegrityCheck]]:
    """The facts of every TABLE block of a release, then the integrity checks over them."""
    tables = [read_table(release.doc, release.clean, block.start, block.end, block.exhibit)
              for block in release.blocks if block.kind == BlockKind.TABLE]
    facts = [fact for table in tables for fact in table.facts]
    totals = [total for table in tables for total in table.totals]
    return facts, check_integrity(facts, totals)


def read_table(doc: str, text: str, start: int, end: int,
               exhibit: str = "EX-99.1") -> Table:
    """The statement in text[start:end]: its facts and the totals printed under rule lines."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    lines = _split_lines(text, start, end)
    caption_end = _caption_end(lines)
    caption = " / ".join(line.text.strip() for line in lines[:caption_end] if line.text.strip())
    columns = _find_columns(lines[caption_end:])
    if not columns:
        return Table((), ())
    body_start = _body_start(lines, caption_end, columns)
    header_lines = lines[caption_end:body_start]
    header_text = " ".join(line.text for line in header_lines)
    statement = _statement_of(caption) or _statement_of(header_text) or Statement.OTHER
    money_scale, share_scale = _scales_of(caption + " " + header_text)
    header_phrases = [_phrases(line.text) for line in header_lines if not line.is_rule]
    headers = _column_headers(header_phrases, columns)
    context = " ".join([caption] + [phrase.text for phrase in _label_zone_phrases(
        header_phrases, columns)])
    periods = [_period_of(header, context, statement) for header in headers]
    events = _read_body(lines[body_start:], columns)
    rows = [event for event in events if isinstance(event, _Row)]
    scales = (money_scale, share_scale)
    row_facts = {row: _row_facts(doc, exhibit, statement, caption, row, headers, periods,
                                 scales, len(columns)) for row in rows}
    facts = tuple(fact for row in rows for fact in row_facts[row] if fact is not None)
    totals = tuple(_printed_totals(events, statement, row_facts))
    return Table(facts, totals)


def check_integrity(facts: Sequence[Fact],
                    totals: Iterable[PrintedTotal] = ()) -> list[IntegrityCheck]:
    """Arithmetic the statements must satisfy, per period column; failures are kept (ok=False).

    Label-defined checks (assets = liabilities + equity, the cash roll-forward, gross and net
    result) come from the facts alone; `totals` (from `read_table`) adds the printed totals
    against the rows above them."""
    checks: list[IntegrityCheck] = []
    for statement_facts in _by_table(facts).values():
        checks.extend(_label_checks(statement_facts))
    for total in totals:
        checks.extend(_total_checks(total))
    return checks


# ----------------------------------------------------------------------------- lines


def _split_lines(text: str, start: int, end: int) -> list[_Line]:
    """The lines of text[start:end] with their absolute offsets and line numbers."""
    pieces = text[start:end].split("\n")
    if not pieces[-1]:
        pieces.pop()  # nothing follows the last line break
    lines = []
    number = text.count("\n", 0, start) + 1
    offset = start
    for piece in pieces:
        line = piece.rstrip("\r")
        rule = _is_rule(line)
        lines.append(_Line(offset, number, line, rule, () if rule else _trailing_tokens(line)))
        offset, number = offset + len(piece) + 1, number + 1
    return lines


def _is_rule(text: str) -> bool:
    """A ruling line: only dashes, equals or underscores, at least one run of three."""
    stripped = text.strip()
    if not stripped or stripped[0] not in _RULE_CHARS:
        return False  # most lines: a cheap answer before the set of all characters
    return set(stripped) <= _RULE_CHARS and max(len(run) for run in stripped.split()) >= 3


def _trailing_tokens(text: str) -> tuple[_Token, ...]:
    """The figures at the right end of a line, separated only by blanks and dollar signs.

    Each match takes the blanks and dollar signs after its figure along, so a figure is
    trailing when its match reaches the next trailing figure or the end of the line."""
    if not text.rstrip()[-1:] in _FIGURE_ENDINGS:
        return ()
    matches = list(_FIGURE.finditer(text))
    trailing: list[_Token] = []
    boundary = len(text)
    for match in reversed(matches):
        if match.end() != boundary:
            break
        trailing.append(_token(match))
        boundary = match.start()
    return tuple(trailing[::-1])


def _token(match: re.Match) -> _Token:
    """The figure of a _FIGURE match."""
    printed = match.group("figure")
    end = match.end("figure")
    anchor = end - (len(printed) - len(printed.rstrip(")% ")))
    is_nil = not _DIGIT.search(printed)
    is_year = len(printed) == 4 and bool(_YEAR.fullmatch(printed))
    return _Token(match.start(), end, printed, anchor, is_nil, is_year)  # by position: faster


def _aligned_cells(line: _Line, columns: Sequence[_Column]) -> list[tuple[int, _Token]]:
    """The trailing figures that stand in a column, right to left, each column at most once."""
    cells: list[tuple[int, _Token]] = []
    next_column = len(columns)
    for token in reversed(line.tokens):
        if not cells and token.start > columns[-1].right:
            continue  # a footnote mark printed right of the figures: "1,011 (1)"
        index = next_column - 1
        while index >= 0 and not columns[index].holds(token):
            index -= 1
        if index < 0:
            break
        cells.append((index, token))
        next_column = index
    if len(cells) < len(line.tokens) == len(columns):
        return list(enumerate(line.tokens))  # a full row whose cells do not align (HTML)
    return cells[::-1]


def _label_before(text: str, cells: Sequence[tuple[int, _Token]]) -> str:
    """The label text left of the first figure, without leaders and dollar signs."""
    cut = cells[0][1].start if cells else len(text)
    return text[:cut].strip().rstrip(" .$:").strip()


# ----------------------------------------------------------------------------- layout


def _caption_end(lines: Sequence[_Line]) -> int:
    """Index of the first line past the caption: a header line (period words, or headings
    spread over the columns), a rule or a figure line ends it."""
    for index, line in enumerate(lines):
        text = line.text
        if text.strip() and (line.is_rule or _PERIOD_WORD.search(text)
                             or len(_phrases(text)) > 1
                             or any(not token.is_nil for token in line.tokens)):
            return index
    return len(lines)


def _find_columns(lines: Sequence[_Line]) -> list[_Column]:
    """Columns where the right edges of figures cluster; rare stray edges are label text."""
    tokens = [token for line in lines for token in line.tokens
              if not token.is_nil and not token.is_year]
    clusters: list[list[_Token]] = []
    for token in sorted(tokens, key=operator.attrgetter("anchor")):
        if clusters and token.anchor - clusters[-1][-1].anchor <= 2:
            clusters[-1].append(token)
        else:
            clusters.append([token])
    if not clusters:
        return []
    most = max(len(cluster) for cluster in clusters)
    needed = max(math.ceil(most / 4), min(2, most))
    return [_Column(min(token.start for token in cluster), max(token.end for token in cluster),
                    cluster[0].anchor, cluster[-1].anchor)
            for cluster in clusters if len(cluster) >= needed]


def _is_data_line(line: _Line, columns: Sequence[_Column]) -> bool:
    """A labelled line with at least one figure in a column that is not a year."""
    cells = _aligned_cells(line, columns)
    return (bool(_label_before(line.text, cells))
            and any(not token.is_year for _, token in cells))


def _body_start(lines: Sequence[_Line], caption_end: int, columns: Sequence[_Column]) -> int:
    """The first line after the column headers: past the last date, year or rule line that
    precedes the first data line."""
    first_data = next((index for index in range(caption_end, len(lines))
                       if _is_data_line(lines[index], columns)), len(lines))
    header_end = caption_end
    for index in range(caption_end, first_data):
        if lines[index].is_rule or _PERIOD_WORD.search(lines[index].text):
            header_end = index + 1
    return header_end


def _phrases(text: str) -> list[_Phrase]:
    """Words grouped into phrases: two blanks, or a new date or year, start a new phrase."""
    spans: list[list[int]] = []  # [start, end] of each phrase
    previous: Optional[re.Match] = None
    for word in _WORD.finditer(text):
        if previous and word.start() - previous.end() < 2 \
                and not _starts_new_heading(previous.group(), word.group()):
            spans[-1][1] = word.end()
        else:
            spans.append([word.start(), word.end()])
        previous = word
    return [_Phrase(start, end, text[start:end]) for start, end in spans]


def _starts_new_heading(previous: str, word: str) -> bool:
    """'30, December', '2004 2003' and 'Ended Nine' are two headings set one blank apart."""
    is_month = word.lower().rstrip(".") in _MONTHS
    if is_month and (previous[-1].isdigit() or previous.endswith(",")):
        return True
    if _YEAR.fullmatch(word) and _YEAR.fullmatch(previous.rstrip(",")):
        return True
    return previous.lower() in ("ended", "ending") and word.isalpha() and not is_month


def _is_label_zone(phrase: _Phrase, columns: Sequence[_Column]) -> bool:
    return phrase.end < columns[0].left - 1


def _label_zone_phrases(header_phrases: Sequence[list[_Phrase]],
                        columns: Sequence[_Column]) -> list[_Phrase]:
    return [phrase for phrases in header_phrases for phrase in phrases
            if _is_label_zone(phrase, columns)]


def _column_headers(header_phrases: Sequence[list[_Phrase]],
                    columns: Sequence[_Column]) -> list[str]:
    """Each column's header words top to bottom (the phrases of each header line but a rule):
    a phrase covers the columns whose centres are nearer to it than to the other phrases of
    its line (a spanning header covers several)."""
    parts: list[list[str]] = [[] for _ in columns]
    for line_phrases in header_phrases:
        phrases = [phrase for phrase in line_phrases
                   if not _is_label_zone(phrase, columns)
                   and not _DROP_FROM_COLUMN.match(phrase.text)]
        owners = [_owning_phrase(phrases, column.centre) for column in columns]
        if len(phrases) == len(columns) and len({id(owner) for owner in owners}) < len(columns):
            owners = list(phrases)  # one phrase a column, in order: HTML cells do not align
        for index, owner in enumerate(owners):
            if owner is not None:
                parts[index].append(owner.text)
    return [" ".join(words) for words in parts]


def _owning_phrase(phrases: Sequence[_Phrase], centre: float) -> Optional[_Phrase]:
    """The phrase whose share of the line (split halfway between phrases) holds `centre`."""
    for index, phrase in enumerate(phrases):
        if index + 1 == len(phrases) or centre < (phrase.end + phrases[index + 1].start) / 2:
            return phrase
    return None


# ----------------------------------------------------------------------------- meaning


def _statement_of(caption: str) -> Optional[Statement]:
    return next((statement for statement, pattern in _STATEMENTS if pattern.search(caption)),
                None)


def _scales_of(text: str) -> tuple[Decimal, Decimal]:
    """(money scale, share-count scale): shares are scaled only when said of shares."""
    money = shares = None
    for mention in _SCALE_MENTION.finditer(text):
        factor = next(scale for index, (scale, _) in enumerate(_SCALES)
                      if mention.group(f"s{index}"))
        said_of_shares = mention.group("shares")
        if said_of_shares:
            shares = shares or factor
        if not said_of_shares or re.search(r"\band\b", said_of_shares):
            money = money or factor  # "(shares and dollars in thousands)"
    return money or Decimal(1), shares or Decimal(1)


def _period_of(header: str, context: str, statement: Statement) -> Period:
    """The column's Period: an instant on a balance sheet, else its duration ending on its date."""
    end = _date_of(header, context)
    if end is None:
        return Period()
    if statement == Statement.BALANCE_SHEET:
        return Period.at(end)
    duration = _duration_of(header) or _duration_of(context)
    if duration is None:
        return Period.at(end) if statement == Statement.OTHER else Period(end=end)
    count, unit = duration
    try:
        if unit == "week":
            return Period.weeks_ending(end, count)
        return Period.months_ending(end, count)
    except (ValueError, OverflowError):
        return Period(end=end)


def _date_of(header: str, context: str) -> Optional[dt.date]:
    """The date a header names; a bare year takes its month and day from the caption."""
    match = _DATE.search(header)
    if match:
        return _safe_date(int(match.group(3)), _MONTHS[match.group(1).lower()], int(match.group(2)))
    numeric = _NUMERIC_DATE.search(header)
    if numeric:
        return _safe_date(int(numeric.group(3)), int(numeric.group(1)), int(numeric.group(2)))
    year = re.search(r"\b(?:19|20)\d\d\b", header)
    month_day = _MONTH_DAY.search(header) or _MONTH_DAY.search(context)
    if year and month_day:
        return _safe_date(int(year.group()), _MONTHS[month_day.group(1).lower()],
                          int(month_day.group(2)))
    return None


def _safe_date(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _duration_of(text: str) -> Optional[tuple[int, str]]:
    """(count, 'month' | 'week') when the text names exactly one duration."""
    found = {(_count_of(match.group(1)), match.group(2).lower())
             for match in _DURATION.finditer(text)}
    if not found:
        named = {match.group(1).lower() for match in _NAMED_DURATION.finditer(text)}
        found = {(3 if name == "quarter" else 12, "month") for name in named}
    if len(found) != 1:
        return None
    count, unit = found.pop()
    return (count, unit) if count > 0 else None


def _count_of(word: str) -> int:
    if word.isdigit():
        return int(word)
    return _NUMBER_WORDS.get(re.sub(r"[\s-]+", "-", word.lower()), 0)


def _unit_of(label: str, section: str) -> Unit:
    """Per-share and share-count lines by their label (or their section), else money."""
    for text in (label, section):
        if not _has_share_word(text):
            continue  # most lines: a quick look says it is neither
        if _names_share_count(text):
            return Unit.SHARES
        if _PER_SHARE.search(text):
            return Unit.USD_PER_SHARE
    if _names_percent(label):
        return Unit.PERCENT
    return Unit.USD


def _has_share_word(text: str) -> bool:
    """'share' or 'eps' as the case-blind _SHARES and _PER_SHARE see them (ſ is s), which all
    their matches hold; much faster than a case-blind search."""
    folded = text.casefold()
    return "share" in folded or "eps" in folded


def _names_percent(label: str) -> bool:
    """_PERCENT's test; most labels hold neither '%' nor 'percent' (the case-blind search
    sees no other spelling of it), which is much faster to see than to search for."""
    return "%" in label or ("percent" in label.lower() and bool(_PERCENT.search(label)))


def _names_share_count(text: str) -> bool:
    """'Weighted average shares', 'Shares used in computing ... per share'; not the par value
    and share details of a stock line, nor 'Net loss per share'."""
    if not _SHARES.search(text) or _NOT_SHARE_COUNT.search(text):
        return False
    return not _PER_SHARE.search(text) or bool(_SHARE_COUNT_HEAD.match(text))


def _value_of(token: _Token, unit: Unit, scales: tuple[Decimal, Decimal]) -> Decimal:
    """The figure's value, scaled by the table's unit where the unit says it applies."""
    if token.is_nil:
        return Decimal(0)
    digits = _NOT_DIGIT.sub("", token.text)
    value = Decimal(digits if digits.strip(".") else "0")
    if token.text.startswith(("(", "-")):
        value = -value
    if unit == Unit.USD:
        return value * scales[0]
    if unit == Unit.SHARES:
        return value * scales[1]
    return value


# ----------------------------------------------------------------------------- body


@dataclass
class _BodyState:
    """The running state of one statement body while it is read top to bottom."""

    events: list
    pending: list
    pending_under_rule: bool = False
    under_rule: bool = False
    section: str = ""
    heading: str = ""


def _read_body(lines: Sequence[_Line], columns: Sequence[_Column]) -> list[_Event]:
    """Rows and boundaries (rules, headings, blanks) in text order."""
    state = _BodyState(events=[_Boundary.START], pending=[])
    for index, line in enumerate(lines):
        cells = _aligned_cells(line, columns) if line.tokens else []  # a rule has no tokens
        if cells:
            following = lines[index + 1] if index + 1 < len(lines) else None
            _add_row(state, line, cells, following)
        elif line.is_rule or not line.text.strip():
            _close_heading(state, as_section=False)
            state.events.append(_Boundary.RULE if line.is_rule else _Boundary.BLANK)
            state.under_rule = state.under_rule or line.is_rule
        else:
            _add_text(state, line)
    _close_heading(state, as_section=False)
    return state.events


def _add_text(state: _BodyState, line: _Line) -> None:
    """A line without figures: the start of a heading or of a wrapped label, or its next line."""
    if state.pending and _continues(state.pending, line):
        state.pending.append(line)
        return
    _close_heading(state, as_section=False)
    state.pending = [line]
    state.pending_under_rule = state.under_rule


def _continues(pending: Sequence[_Line], line: _Line) -> bool:
    """A wrapped line is more indented than the first line of its label (or starts lower case)."""
    if pending[-1].text.rstrip().endswith(":"):
        return False
    stripped = line.text.strip()
    return line.indent > pending[0].indent or stripped[:1].islower()


def _close_heading(state: _BodyState, as_section: bool) -> None:
    """Pending text that no figures followed is a heading: a section (ends with ':' or has
    rows under it) or a standalone heading such as 'Assets'."""
    if not state.pending:
        return
    text = " ".join(line.text.strip() for line in state.pending)
    state.pending = []
    if as_section or text.endswith(":"):
        state.section = text.rstrip(":").strip()
        state.events.append(_Boundary.SECTION)
    else:
        state.heading, state.section = text, ""
        state.events.append(_Boundary.HEADING)
    state.under_rule = False


def _add_row(state: _BodyState, line: _Line, cells: list, following: Optional[_Line]) -> None:
    """A line with figures: its label is its own text, after the pending lines it continues."""
    own = _label_before(line.text, cells)
    pending = state.pending
    continues = bool(pending) and _continues(pending, line)
    if continues and not _heads_siblings(pending, line, following):
        label = " ".join([item.text.strip() for item in pending] + [own]).strip()
        under_rule = state.pending_under_rule
        state.pending = []
    else:
        _close_heading(state, as_section=continues)
        label, under_rule = own, state.under_rule
    row = _Row(label or "Subtotal", _line_name(label, state), state.section, tuple(cells), line,
               under_rule)
    state.events.append(row)
    state.under_rule = False


def _heads_siblings(pending: Sequence[_Line], line: _Line, following: Optional[_Line]) -> bool:
    """Pending text heads a list rather than wraps when the next line is a sibling row at the
    same indent (other than a total) and the pending text does not break off mid-phrase."""
    if following is None or not following.text.strip() or following.is_rule:
        return False
    if _WRAPPING_END.search(pending[-1].text.rstrip()[-_WRAPPING_REACH:]):  # its only reach
        return False
    sibling = following.text.strip().lower()
    return following.indent == line.indent and not sibling.startswith("total")


def _line_name(label: str, state: _BodyState) -> str:
    """normalize_label, except where the label alone does not say what the line is."""
    name = normalize_label(label)
    if not name:
        return normalize_label(f"{state.section} subtotal") if state.section else "subtotal"
    if name == "total" and (state.heading or state.section):
        return normalize_label(f"total {state.heading or state.section}")
    return name


def _row_facts(doc: str, exhibit: str, statement: Statement, caption: str, row: _Row,
               headers: Sequence[str], periods: Sequence[Period],
               scales: tuple[Decimal, Decimal], width: int) -> tuple[Optional[Fact], ...]:
    """The row's facts by column index, None where its cell is blank."""
    by_column: list[Optional[Fact]] = [None] * width
    row_unit = _unit_of(row.label, row.section)
    for index, token in row.cells:
        unit = Unit.PERCENT if "%" in token.text else row_unit
        start = row.source.offset + token.start
        by_column[index] = Fact(
            doc=doc, statement=statement, caption=caption, label=row.label, line=row.line,
            period=periods[index], column=headers[index], value=_value_of(token, unit, scales),
            printed=token.text, unit=unit, start=start, end=start + len(token.text),
            line_no=row.source.number, exhibit=exhibit)
    return tuple(by_column)


# ----------------------------------------------------------------------------- printed totals


def _printed_totals(events: Sequence[_Event], statement: Statement,
                    row_facts: dict[_Row, tuple[Optional[Fact], ...]]
                    ) -> Iterable[PrintedTotal]:
    """Every row printed under a rule, with the row ranges above it that may be its parts.

    On a statement of operations only lines named 'Total ...' are sums: its other results
    (gross, operating, pre-tax, net) subtract expenses printed as positive figures."""
    for index, event in enumerate(events):
        if not isinstance(event, _Row) or not event.under_rule:
            continue
        if statement == Statement.OPERATIONS and not event.line.startswith("total"):
            continue
        candidates = tuple(tuple(row_facts[row] for row in rows)
                           for rows in _component_ranges(events, index))
        if candidates:
            yield PrintedTotal(statement, row_facts[event], candidates)


def _component_ranges(events: Sequence[_Event], index: int) -> list[list[_Row]]:
    """Ranges of rows ending above the total's rule and starting at a section heading, the
    previous rule, a row that is itself a total, or the start of the body (innermost first)."""
    position = index - 1
    while position >= 0 and events[position] is not _Boundary.RULE:
        position -= 1
    components: list[_Row] = []
    ranges: list[list[_Row]] = []
    for event in reversed(events[:max(position, 0)]):
        if isinstance(event, _Row):
            components.insert(0, event)
            if event.under_rule:
                _add_range(ranges, components)
                break
        elif event is _Boundary.SECTION:
            _add_range(ranges, components)
        elif event is not _Boundary.BLANK:
            _add_range(ranges, components)
            break
    return ranges


def _add_range(ranges: list[list[_Row]], components: list[_Row]) -> None:
    if len(components) >= 2 and (not ranges or len(ranges[-1]) != len(components)):
        ranges.append(list(components))


# ----------------------------------------------------------------------------- checks


def _by_table(facts: Iterable[Fact]) -> dict[tuple, list[Fact]]:
    tables: dict[tuple, list[Fact]] = {}
    for fact in facts:
        tables.setdefault((fact.doc, fact.exhibit, fact.caption, fact.statement), []).append(fact)
    return tables


def _columns_of(facts: Sequence[Fact]) -> dict[tuple, dict[str, Fact]]:
    """Per column (header, period): line name -> its first fact."""
    columns: dict[tuple, dict[str, Fact]] = {}
    for fact in facts:
        columns.setdefault((fact.column, fact.period), {}).setdefault(fact.line, fact)
    return columns


def _find_line(lines: dict[str, Fact], patterns: Sequence[re.Pattern],
               verdicts: dict[re.Pattern, dict[str, bool]]) -> Optional[Fact]:
    """The first line matching the first pattern that matches any (patterns by preference).

    `verdicts` keeps whether each pattern matches each name: the columns of a statement repeat
    their line names, and looking a name up is faster than searching it again."""
    for pattern in patterns:
        matches = verdicts.setdefault(pattern, {})
        for name, fact in lines.items():
            match = matches.get(name)
            if match is None:
                match = matches[name] = pattern.search(name) is not None
            if match:
                return fact
    return None


def _patterns(*patterns: str) -> tuple[re.Pattern, ...]:
    """Line-name patterns, by preference."""
    return tuple(re.compile(pattern) for pattern in patterns)


_ASSETS = _patterns(r"^total assets$")
_LIABILITIES_AND_EQUITY = _patterns(
    r"^total liabilities(?: and|,| &).*(?:equity|deficit|capital)$")
_CASH_BEGIN = _patterns(r"^cash.*\bbeginning\b")
_CASH_END = _patterns(r"^cash.*\bend\b")
_CASH_CHANGE = _patterns(r"^net (?:increase|decrease|change)\b.*\bcash\b",
                         r"^(?:increase|decrease).*\bin cash\b")
_GROSS = _patterns(r"^gross (?:profit|loss|margin|income)(?: loss| profit)?$")
_REVENUE = _patterns(r"^total (?:net )?(?:revenues?|sales)$", r"^(?:net )?(?:revenues?|sales)$")
_COST = _patterns(r"^total cost of (?:goods sold|sales|revenues?|products sold)$",
                  r"^cost of (?:goods sold|sales|revenues?|products sold)$")
_PRETAX = _patterns(r"\bbefore (?:provision for |benefit from )?(?:income )?tax(?:es)?\b")
_TAX = _patterns(r"^(?:provision|benefit|income tax)")
_NET = _patterns(r"^net (?:loss|income|earnings)(?: loss| income)?$")


def _label_checks(facts: Sequence[Fact]) -> list[IntegrityCheck]:
    """The checks each statement type defines through its named lines."""
    statement = facts[0].statement
    columns = _columns_of(facts)
    if statement == Statement.BALANCE_SHEET:
        return _formula_check("balance_sheet_balances", columns, _ASSETS,
                              [_LIABILITIES_AND_EQUITY], [(1,)])
    if statement == Statement.CASH_FLOWS:
        return _formula_check("cash_roll_forward", columns, _CASH_END,
                              [_CASH_BEGIN, _CASH_CHANGE], [(1, 1)])
    if statement == Statement.OPERATIONS:
        return (_formula_check("gross_result", columns, _GROSS, [_REVENUE, _COST],
                               [(1, -1), (1, 1)])
                + _formula_check("net_result", columns, _NET, [_PRETAX, _TAX],
                                 [(1, -1), (1, 1)]))
    return []


def _formula_check(name: str, columns: dict[tuple, dict[str, Fact]], result: tuple,
                   operands: Sequence[tuple], signs: Sequence[tuple[int, ...]]
                   ) -> list[IntegrityCheck]:
    """result == sum(sign * operand) per column. Where the sign convention is open (costs may
    be printed positive or negative) it is the one that holds in the most columns, and the
    check is made only if it holds in one at least: else the lines are not what they seem."""
    found = []
    verdicts: dict[re.Pattern, dict[str, bool]] = {}
    for lines in columns.values():
        total = _find_line(lines, result, verdicts)
        if total is None:
            continue  # no need to look for its parts
        parts = [_find_line(lines, patterns, verdicts) for patterns in operands]
        if all(part is not None for part in parts):
            found.append((total, parts))

    if not found:
        return []
    sums = [[_signed_sum(parts, sign) for _, parts in found] for sign in signs]

    def agreeing(convention: int) -> int:
        return sum(value == total.value for (total, _), value in zip(found, sums[convention]))

    best = max(range(len(signs)), key=agreeing)
    if len(signs) > 1 and agreeing(best) == 0:
        return []
    return [_check(name, total, parts, value) for (total, parts), value in zip(found, sums[best])]


def _signed_sum(parts: Sequence[Fact], signs: Sequence[int]) -> Decimal:
    return sum((part.value * sign for part, sign in zip(parts, signs)), Decimal(0))


def _check(name: str, total: Fact, parts: Sequence[Fact], expected: Decimal) -> IntegrityCheck:
    return IntegrityCheck(doc=total.doc, check=name, statement=total.statement,
                          period=total.period, expected=expected, actual=total.value,
                          ok=expected == total.value,
                          lines=tuple([total.line] + [part.line for part in parts]))


def _total_checks(total: PrintedTotal) -> list[IntegrityCheck]:
    """The printed total against the range of rows that adds up in the most columns; nothing
    when no range adds up in any column (the parts cannot be told)."""
    def agreeing(sums: list[Decimal]) -> int:
        return sum(fact is not None and value == fact.value
                   for fact, value in zip(total.total, sums))

    candidate_sums = [[_column_sum(rows, index) for index in range(len(total.total))]
                      for rows in total.candidates]
    best = max(range(len(candidate_sums)), key=lambda number: agreeing(candidate_sums[number]))
    if agreeing(candidate_sums[best]) == 0:
        return []
    parts = [row[0] or next(item for item in row if item) for row in total.candidates[best]]
    return [_check("printed_total", fact, parts, expected)
            for fact, expected in zip(total.total, candidate_sums[best]) if fact is not None]


def _column_sum(rows: Sequence[tuple[Optional[Fact], ...]], index: int) -> Decimal:
    """A column's sum; a 'Less ...' line printed positive is subtracted, a blank cell is 0."""
    total = Decimal(0)
    for row in rows:
        fact = row[index] if index < len(row) else None
        if fact is None:
            continue
        subtract = fact.line.startswith("less") and fact.value > 0
        total += -fact.value if subtract else fact.value
    return total
