"""The release reader: a file, bytes or text become a `Release` whose offsets point into the text.

Later stages read `Release.clean`, a twin of `Release.text` of the very same length in which
markup is blanked: HTML tags and EDGAR envelopes become spaces (newlines kept), entities become
their character padded with spaces, so prose reads naturally while every offset still points
into `text`. One liberty: a block-level HTML tag (`<p>`, `<br>`, `<tr>` ...) is blanked to a
line break followed by spaces, so that one-line HTML still falls apart into paragraphs and rows.

`Block.text` is therefore `clean[start:end]`: the same length as `text[start:end]`, with the
markup blank.

The layout is read line by line, as EDGAR prints a release: prose wrapped at about 70 columns
with an indented first line per paragraph, financial statements as columns of figures.
"""
from __future__ import annotations

import bisect
import datetime as dt
import heapq
import html
import itertools
import re
from collections import Counter
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple, Optional, Union

from .models import Block, BlockKind, Issuer, Release

MAX_BYTES = 50_000_000
DEFAULT_EXHIBIT = "EX-99.1"
TEXT_DOC = "<text>"
BYTES_DOC = "<bytes>"
TEXT_ENCODING = "unicode"  # Release.encoding when the caller passed text, not bytes

_PATH_MAX = 1024           # a str longer than this is text, never a file name
_BINARY_SAMPLE = 65_536    # characters inspected for binary garbage
_BINARY_SHARE = 0.10       # more control characters than this among the non-blank: not text
_UTF16_SAMPLE = 4_096      # bytes inspected for the NUL pattern of BOM-less UTF-16
_MAX_TABLE_GAP = 12        # lines between two figure lines of the same table
_HEADER_WORDS = 10         # a column header line holds no more words than this
_LABEL_WIDTH = 60          # a longer line without column gaps is prose, not a table label
_DATELINE_SEARCH = 40      # non-blank lines at the top searched for the dateline
_DATELINE_REACH = 300      # characters a dateline may span

Source = Union[Path, str, bytes]


class ReleaseError(ValueError):
    """The input is not a release at all: empty, binary, too large or unreadable."""


# --------------------------------------------------------------------------- decoding

_UTF16_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_UTF8_BOM = b"\xef\xbb\xbf"


def decode(raw: bytes) -> tuple[str, str]:
    """Bytes to (text, codec name); never raises. Newlines are left as they are."""
    if raw.startswith(_UTF8_BOM):
        return raw[len(_UTF8_BOM):].decode("utf-8", errors="replace"), "utf-8-sig"
    for bom, codec in _UTF16_BOMS:
        if raw.startswith(bom):
            return raw[len(bom):].decode(codec, errors="replace"), codec
    codec = _utf16_by_nul_pattern(raw)
    if codec:
        return raw.decode(codec, errors="replace"), codec
    for codec in ("utf-8", "cp1252"):
        try:
            return raw.decode(codec), codec
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1"), "latin-1"


def _utf16_by_nul_pattern(raw: bytes) -> Optional[str]:
    """BOM-less UTF-16 of Latin text has a NUL in every other byte, on one side only."""
    sample = raw[:_UTF16_SAMPLE]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls >= 0.3 * pairs and even_nuls <= 0.05 * pairs:
        return "utf-16-le"
    if even_nuls >= 0.3 * pairs and odd_nuls <= 0.05 * pairs:
        return "utf-16-be"
    return None


# --------------------------------------------------------------------------- loading

_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff\ue000-\uf8ff]")
_ASCII_NON_CONTROLS = bytes(code for code in range(128) if not _CONTROL_RE.match(chr(code)))


def _load(source: Source, max_bytes: int) -> tuple[str, str, str]:
    """(text, encoding, default doc name) of a path, bytes or release text."""
    if isinstance(source, bytes):
        _check_size(len(source), max_bytes)
        return (*decode(source), BYTES_DOC)
    if isinstance(source, Path):
        return _load_path(source, max_bytes)
    if isinstance(source, str):
        if _is_existing_file(source):
            return _load_path(Path(source), max_bytes)
        if "\n" in source or "\r" in source or len(source) > _PATH_MAX or not source.strip():
            _check_size(len(source.encode("utf-8", errors="surrogatepass")), max_bytes)
            return source, TEXT_ENCODING, TEXT_DOC
        raise ReleaseError(f"no such file: {source!r}")
    raise TypeError(f"read_release takes a Path, a str or bytes, not {type(source).__name__}")


def _is_existing_file(candidate: str) -> bool:
    """Whether a str names a file; a str that cannot be a path (NUL, too long) is not one."""
    if len(candidate) > _PATH_MAX or "\n" in candidate:
        return False
    try:
        return Path(candidate).is_file()
    except (OSError, ValueError):
        return False


def _load_path(path: Path, max_bytes: int) -> tuple[str, str, str]:
    try:
        _check_size(path.stat().st_size, max_bytes)
        raw = path.read_bytes()
    except OSError as error:
        raise ReleaseError(f"cannot read {path}: {error.strerror or error}") from error
    return (*decode(raw), path.name)


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ReleaseError(f"file too large ({size} bytes, the limit is {max_bytes})")


def _check_content(text: str) -> None:
    """Refuse what no reader could take for a release: nothing, or binary garbage."""
    if not text.strip():
        raise ReleaseError("empty file")
    if "\x00" in text:
        raise ReleaseError("binary content (NUL bytes)")
    sample = text[:_BINARY_SAMPLE]
    controls = _control_count(sample)
    if controls and controls > _BINARY_SHARE * len("".join(sample.split())):  # visible ones
        raise ReleaseError("binary content (mostly non-text characters)")


def _control_count(sample: str) -> int:
    """How many characters of the sample _CONTROL_RE matches; ASCII text (most releases) is
    counted as bytes, about ten times faster than the regex."""
    if sample.isascii():
        return len(sample.encode("ascii").translate(None, _ASCII_NON_CONTROLS))
    return len(_CONTROL_RE.findall(sample))


# --------------------------------------------------------------------------- EDGAR envelope

@dataclass(frozen=True)
class _Section:
    """A stretch of the text that is read: the press release, or another EX-99 (tables only)."""

    start: int
    end: int
    exhibit: str
    is_release: bool = False


@dataclass(frozen=True)
class _SecHeader:
    company: Optional[str]
    filed: Optional[dt.date]


_DOCUMENT_RE = re.compile(r"<DOCUMENT>", re.I)
_DOCUMENT_END_RE = re.compile(r"</DOCUMENT>", re.I)
_TYPE_RE = re.compile(r"<TYPE>[ \t]*([^\s<]+)", re.I)
_TEXT_RE = re.compile(r"<TEXT>", re.I)
_TEXT_END_RE = re.compile(r"</TEXT>", re.I)
_PRESS_RELEASE_TYPE_RE = re.compile(r"EX-99(?:\.0*1)?", re.I)
_EX99_TYPE_RE = re.compile(r"EX-99\b", re.I)
_CONFORMED_NAME_RE = re.compile(r"COMPANY CONFORMED NAME:[ \t]*([^\r\n]+)")
_OPENING_WORDS = 80  # characters of the first paragraph where an undecorated dateline sits
_FILED_RE = re.compile(r"FILED AS OF DATE:[ \t]*(\d{4})(\d{2})(\d{2})")


def _sections(text: str) -> tuple[_Section, ...]:
    """The press release and the other EX-99 exhibits of an EDGAR submission (or the whole text)."""
    documents = list(_edgar_documents(text))
    if not documents:
        return (_Section(0, len(text), DEFAULT_EXHIBIT, is_release=True),)
    release = _pick_press_release(documents)
    return tuple(replace(document, is_release=True) if document is release else document
                 for document in documents
                 if document is release or _EX99_TYPE_RE.match(document.exhibit))


def _edgar_documents(text: str) -> Iterator[_Section]:
    """The <TEXT> body of each <DOCUMENT> of a full submission, named by its <TYPE>."""
    openings = list(_DOCUMENT_RE.finditer(text))
    for number, opening in enumerate(openings):
        limit = openings[number + 1].start() if number + 1 < len(openings) else len(text)
        closing = _DOCUMENT_END_RE.search(text, opening.end(), limit)
        end = closing.start() if closing else limit
        body = _TEXT_RE.search(text, opening.end(), end)
        if not body:
            continue
        body_end = _TEXT_END_RE.search(text, body.end(), end)
        kind = _TYPE_RE.search(text, opening.end(), body.start())
        yield _Section(body.end(), body_end.start() if body_end else end,
                       kind.group(1).upper() if kind else "")


def _pick_press_release(documents: list[_Section]) -> _Section:
    """EX-99.1 (or EX-99), else the first EX-99.x, else the first document."""
    for matches in (_PRESS_RELEASE_TYPE_RE.fullmatch, _EX99_TYPE_RE.match):
        for document in documents:
            if matches(document.exhibit):
                return document
    return documents[0]


def _sec_header(text: str) -> _SecHeader:
    """Company name and filing date from the SEC header, which precedes the first document."""
    opening = _DOCUMENT_RE.search(text)
    if not opening:
        return _SecHeader(None, None)
    header = text[:opening.start()]
    name = _CONFORMED_NAME_RE.search(header)
    filed = _FILED_RE.search(header)
    return _SecHeader(name.group(1).strip() if name else None,
                      _safe_date(*map(int, filed.groups())) if filed else None)


# --------------------------------------------------------------------------- the clean twin

_BLOCK_TAGS = frozenset(
    "p br div tr table thead tbody tfoot caption h1 h2 h3 h4 h5 h6 li ul ol dl dt dd "
    "blockquote pre hr center title body html section article header footer page".split())
# Tags and entities are two patterns, each with a literal first character: the regex engine
# skips to those much faster than to a position where either of them may start.
_MARKUP_TAG_RE = re.compile(
    r"<!--.*?-->"
    r"|<(?P<raw>script|style|head)\b[^>]*>.*?</(?P=raw)\s*>"
    r"|</?(?P<tag>[A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]{0,2000})?/?>",
    re.DOTALL | re.IGNORECASE)
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",
                        re.IGNORECASE)
_NOT_NEWLINE_RE = re.compile(r"[^\r\n]")
_EXHIBIT_LABEL_RE = re.compile(r"(?:EX(?:HIBIT)?[\s.-]*99(?:\.\d+)?)\.?", re.I)

Edit = tuple[int, int, str]


def _clean(text: str, sections: tuple[_Section, ...]) -> str:
    """The same-length twin of `text` with envelopes, markup and exhibit labels blanked."""
    edits: list[Edit] = []
    position = 0
    for section in sorted(sections, key=lambda item: item.start):
        edits.append((position, section.start, _blank(text[position:section.start])))
        edits.extend(_markup_edits(text, section.start, section.end))
        position = section.end
    edits.append((position, len(text), _blank(text[position:])))
    clean = _apply(text, edits)
    return _apply(clean, [_exhibit_label_edit(clean, section) for section in sections])


def _blank(chunk: str) -> str:
    return _NOT_NEWLINE_RE.sub(" ", chunk)


def _apply(text: str, edits: Iterable[Edit]) -> str:
    """Replace sorted, non-overlapping spans by same-length strings."""
    parts, position = [], 0
    for start, end, replacement in edits:
        parts.append(text[position:start])
        parts.append(replacement)
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _markup(text: str, start: int, end: int) -> Iterator[re.Match]:
    """The tags and entities of text[start:end] in text order; an entity inside a tag (in an
    attribute, a comment or a script) is part of the tag."""
    covered = start
    for match in heapq.merge(_MARKUP_TAG_RE.finditer(text, start, end),
                             _ENTITY_RE.finditer(text, start, end), key=re.Match.start):
        if match.start() >= covered:
            yield match
            covered = match.end()


def _markup_edits(text: str, start: int, end: int) -> Iterator[Edit]:
    for match in _markup(text, start, end):
        markup = match.group()
        if match.re is _ENTITY_RE:
            character = html.unescape(markup).replace("\xa0", " ")
            if character != markup and len(character) <= len(markup):
                yield match.start(), match.end(), character.ljust(len(markup))
        elif (match.group("tag") or "").lower() in _BLOCK_TAGS:
            yield match.start(), match.end(), "\n" + _blank(markup[1:])
        else:
            yield match.start(), match.end(), _blank(markup)


def _exhibit_label_edit(clean: str, section: _Section) -> Edit:
    """Blank an "Exhibit 99.1" label that opens an exhibit: it is not part of the release."""
    body = clean[section.start:section.end]
    start = end = section.start + len(body) - len(body.lstrip())
    while end < section.end and clean[end] not in "\r\n":
        end += 1
    if _EXHIBIT_LABEL_RE.fullmatch(clean[start:end].strip()):
        return start, end, " " * (end - start)
    return start, start, ""


# --------------------------------------------------------------------------- lines

class _LineKind(Enum):
    BLANK = "blank"
    RULE = "rule"        # ------ or ====== under a column
    FIGURE = "figure"    # ends in columns of figures
    TEXT = "text"


class _Line(NamedTuple):
    """One line of a section, read once (a tuple: one per line, much cheaper to make than a
    frozen dataclass)."""

    start: int   # first character of the line
    lead: int    # first non-blank character
    stop: int    # just after the last non-blank character
    indent: int
    body: str    # the line without surrounding blanks
    kind: _LineKind


_LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_RULE_CHARS = frozenset("-=_—– \t")
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_FIGURE = rf"-?[$(]*(?:{_NUMBER})\)?%?\)?"   # after any "$(": 1,234  (5.6)  12%  $.001
_CELL_RE = re.compile(  # one column's figure, or two glued ("$(9,147,000)$(21,064,000)")
    rf"[$(]*{_FIGURE}(?:[$(]+{_FIGURE})*|-{{1,3}}|[—–$)%]")
_CELL_ENDINGS = frozenset("0123456789)%$-—–")
_DASH_CELL_RE = re.compile(r"-{1,3}|[—–]")
_DIGIT_RE = re.compile(r"\d")


def _lines(clean: str, start: int, end: int) -> list[_Line]:
    lines, position = [], start
    for raw in clean[start:end].splitlines(keepends=True):
        content = raw.rstrip(_LINE_BREAKS)
        body = content.strip()
        indent = len(content) - len(content.lstrip())
        lines.append(_Line(position, position + indent, position + len(content.rstrip()),
                           indent, body, _line_kind(body)))
        position += len(raw)
    return lines


def _line_kind(body: str) -> _LineKind:
    if not body:
        return _LineKind.BLANK
    if body[0] in _RULE_CHARS and set(body) <= _RULE_CHARS and (
            len(body) - body.count(" ") - body.count("\t") >= 3):  # dashes, equals, underscores
        return _LineKind.RULE
    if _is_figure_line(body):
        return _LineKind.FIGURE
    return _LineKind.TEXT


def _is_figure_line(body: str) -> bool:
    """A line ending in figures set apart as columns (or made only of figures)."""
    if body[-1] not in _CELL_ENDINGS:
        return False
    tokens = body.split()
    run = numbers = dashes = 0
    for token in reversed(tokens):
        if not _CELL_RE.fullmatch(token):
            break
        run += 1
        if _DIGIT_RE.search(token):
            numbers += 1
            if numbers == 2:
                return True  # what the cells further left are does not matter
        elif _DASH_CELL_RE.fullmatch(token):
            dashes += 1
    if not numbers + dashes:
        return False
    if run == len(tokens):
        return True
    gap = _gap_before_last(body, run)
    return len(gap) >= 2 or "\t" in gap


def _gap_before_last(body: str, count: int) -> str:
    """The blanks in front of the last `count` words of a stripped line."""
    rest = body[len(body.rsplit(None, count)[0]):]
    return rest[:len(rest) - len(rest.lstrip())]


# --------------------------------------------------------------------------- tables

_SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)]*$")
_TITLE_RE = re.compile(  # the lookahead: a fast reject of the other first characters
    r"(?=[sbfor])\b(?:statements?\s+of|balance\s+sheets?|(?:financial|operating)\s+"
    r"(?:highlights|data|summary|information|results)|selected\s+\w+|reconciliation\s+of|"
    r"segment\s+information)\b", re.I)
_UNIT_CAPTION_RE = re.compile(
    r"^\(.*\)$|\bunaudited\b|\bin\s+(?:thousands|millions|billions)\b", re.I)
_PERIOD_HEADER_RE = re.compile(
    r"\b(?:months?|weeks?|quarters?|years?|ended|ending|fiscal|\d{4}|January|February|March|"
    r"April|May|June|July|August|September|October|November|December)\b", re.I)
_HTML_TABLE_START_RE = re.compile(r"<table", re.I)  # searched in place: lower() copies the text
_HTML_TABLE_RE = re.compile(r"<table\b[^>]*>(?:(?!<table\b).)*?</table\s*>", re.I | re.DOTALL)
_HTML_CELL_RE = re.compile(r"<t[dh]\b[^>]*>", re.I)
_TAG_RE = re.compile(r"<[^<>]*>")


def _is_upper_case(body: str) -> bool:
    letters = [char for char in body if char.isalpha()]
    return len(letters) >= 3 and sum(char.isupper() for char in letters) >= 0.9 * len(letters)


def _is_title(line: _Line) -> bool:
    """The name of a statement ("CONSOLIDATED BALANCE SHEETS"), which opens a new table."""
    return (line.kind is _LineKind.TEXT and len(line.body) <= 100
            and not line.body.endswith(":") and bool(_TITLE_RE.search(line.body)))


def _is_caption(line: _Line) -> bool:
    """A caption line: company name in capitals, statement title, "(Unaudited)", units."""
    return line.kind is _LineKind.TEXT and (
        _is_title(line) or bool(_UNIT_CAPTION_RE.search(line.body))
        or _is_upper_case(line.body))


def _is_table_header(line: _Line) -> bool:
    """A line that may sit above a table's first figure: caption, column header, rule."""
    if line.kind is not _LineKind.TEXT:
        return True
    return (_is_caption(line) or _is_column_header(line.body)
            or line.indent >= 8 and len(line.body) <= 50
            or len(line.body) <= 40 and bool(_PERIOD_HEADER_RE.search(line.body)))


def _is_column_header(body: str) -> bool:
    """A few words set apart in columns: "Three Months Ended     Six Months Ended".

    Not a sentence: an entity padded with blanks puts gaps in prose too."""
    return (("   " in body or "\t" in body) and len(body.split()) <= _HEADER_WORDS
            and not _SENTENCE_END_RE.search(body))


def _is_prose(line: _Line) -> bool:
    return (line.kind is _LineKind.TEXT and len(line.body) > _LABEL_WIDTH
            and not _is_table_header(line))


def _table_ranges(text: str, lines: list[_Line], section: _Section) -> list[tuple[int, int]]:
    """(first, last) line indices of each table, one per statement, from caption to last figure."""
    bodies = _html_table_bodies(text, lines, section)
    held = {index for first, last in bodies for index in range(first, last + 1)}
    bodies += _figure_bodies(lines, held)
    ranges: list[tuple[int, int]] = []
    floor = 0
    for first, last in sorted(bodies):
        top = _table_top(lines, first, floor)
        ranges.extend(_split_at_titles(lines, top, first, _table_bottom(lines, last)))
        floor = ranges[-1][1] + 1
    return ranges


def _figure_bodies(lines: list[_Line], held: set[int]) -> list[tuple[int, int]]:
    """Runs of figure lines that no prose interrupts, from the first to the last figure line."""
    figures = [index for index, line in enumerate(lines)
               if line.kind is _LineKind.FIGURE and index not in held]
    bodies, run = [], figures[:1]
    for previous, index in zip(figures, figures[1:]):
        between = range(previous + 1, index)
        if len(between) <= _MAX_TABLE_GAP and not any(
                _is_prose(lines[gap]) or gap in held for gap in between):
            run.append(index)
            continue
        bodies.append(run)
        run = [index]
    bodies.append(run)
    return [(run[0], run[-1]) for run in bodies if len(run) >= 2]


def _html_table_bodies(text: str, lines: list[_Line],
                       section: _Section) -> list[tuple[int, int]]:
    """Line ranges of the HTML <table> elements whose cells are mostly figures."""
    if not lines or not _HTML_TABLE_START_RE.search(text, section.start, section.end):
        return []
    starts = [line.start for line in lines]
    bodies: list[tuple[int, int]] = []
    for match in _HTML_TABLE_RE.finditer(text, section.start, section.end):
        if not _is_numeric_html_table(match.group()):
            continue
        first = max(bisect.bisect_right(starts, match.start()) - 1, 0)
        last = max(bisect.bisect_right(starts, match.end() - 1) - 1, 0)
        filled = [index for index in range(first, last + 1)
                  if lines[index].kind is not _LineKind.BLANK]
        if filled and (not bodies or filled[0] > bodies[-1][1]):
            bodies.append((filled[0], filled[-1]))
    return bodies


def _is_numeric_html_table(markup: str) -> bool:
    cells = [html.unescape(_TAG_RE.sub("", cell)).replace("\xa0", " ").strip()
             for cell in _HTML_CELL_RE.split(markup)[1:]]
    filled = [cell for cell in cells if cell]
    figures = sum(1 for cell in filled
                  if _CELL_RE.fullmatch(cell.replace(" ", "")) and any(c.isdigit() for c in cell))
    return figures >= 2 and 4 * figures >= len(filled)


def _table_top(lines: list[_Line], first: int, floor: int) -> int:
    """Walk up from the first figure line over column headers and captions."""
    top = first
    while top - 1 >= floor and _is_table_header(lines[top - 1]):
        top -= 1
    while lines[top].kind is _LineKind.BLANK:
        top += 1
    return top


def _table_bottom(lines: list[_Line], last: int) -> int:
    """The last figure line and the closing rules (=====) right under it."""
    while last + 1 < len(lines) and lines[last + 1].kind is _LineKind.RULE:
        last += 1
    return last


def _split_at_titles(lines: list[_Line], top: int, first: int,
                     bottom: int) -> Iterator[tuple[int, int]]:
    """One range per statement: a title after some figures opens the next statement."""
    cuts = [top]
    last_figure = None
    for index in range(first, bottom + 1):
        line = lines[index]
        if line.kind is _LineKind.FIGURE:
            last_figure = index
        elif last_figure is not None and _is_title(line):
            cuts.append(_caption_top(lines, index, last_figure + 1))
            last_figure = None
    for start, following in zip(cuts, cuts[1:] + [None]):
        end = bottom if following is None else following - 1
        while lines[end].kind is _LineKind.BLANK:
            end -= 1
        yield start, end


def _caption_top(lines: list[_Line], title: int, floor: int) -> int:
    """The first line of the caption group holding a title (company name above it, say)."""
    top = title
    while top - 1 >= floor and _is_caption(lines[top - 1]):
        top -= 1
    return top


# --------------------------------------------------------------------------- dates

_MONTH_NUMBERS = {name: number for number, name in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_MONTH = (r"\b(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
          r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?")
_DATE = (rf"(?:{_MONTH}[ \t]*(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
         r"(?:,?\s{1,3}(?P<year>(?:19|20)\d{2})\b)?"
         r"|(?P<iso>(?:19|20)\d{2}-\d{2}-\d{2})\b)")
_FULL_DATE = rf"{_MONTH}[ \t]*(?P<day>\d{{1,2}}),?\s{{1,3}}(?P<year>(?:19|20)\d{{2}})\b"
_DASH = r"(?:-{1,3}|[–—])"
_PLACE = r"[A-Z][A-Za-z.'&\- ]{0,40}?(?:,[ \t]*[A-Z][A-Za-z.'&\- ]{0,30}?){0,2}"
_WIRE_DATELINE_RE = re.compile(          # CHATSWORTH, Calif.--(BUSINESS WIRE)--Nov. 4, 2004--
    rf"{_PLACE}[ \t]*{_DASH}[ \t]*\([^()\r\n]{{2,50}}\)[ \t]*{_DASH}"
    rf"(?:[ \t]*{_DATE}(?:[ \t]*{_DASH})?)?")
_DATED_DATELINE_RE = re.compile(         # NEW YORK, July 22 /PRNewswire-FirstCall/ --
    rf"(?:{_PLACE},?\s{{1,5}})?{_DATE}\s{{0,5}}(?:/[^/\r\n]{{2,50}}/|\([^()\r\n]{{2,50}}\))?"
    rf"\s{{0,5}}{_DASH}")
_ANY_DATE_RE = re.compile(_DATE)
_FULL_DATE_RE = re.compile(_FULL_DATE)
_PERIOD_END_RE = re.compile(rf"\b(?:ended|ending|as\s+of)\s+{_FULL_DATE}", re.I)
_YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")


def _safe_date(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date_of(match: re.Match, clean: str) -> Optional[dt.date]:
    """The date a _DATE match spells; a missing year is taken from the periods in the text."""
    groups = match.groupdict()
    if groups.get("iso"):
        return _safe_date(*map(int, groups["iso"].split("-")))
    if not groups.get("month"):
        return None
    month = _MONTH_NUMBERS[groups["month"][:3].lower()]
    day = int(groups["day"])
    if groups.get("year"):
        return _safe_date(int(groups["year"]), month, day)
    year = _infer_year(month, day, clean)
    return _safe_date(year, month, day) if year else None


def _full_dates(pattern: re.Pattern, clean: str) -> list[dt.date]:
    dates = (_date_of(match, clean) for match in pattern.finditer(clean))
    return [date for date in dates if date]


def _infer_year(month: int, day: int, clean: str) -> Optional[int]:
    """The year that puts a release date just after the latest period end the text reports.

    Without a "quarter ended <date>", the most frequent full date (the table headers) stands in
    for the period end; without any full date, the most frequent year."""
    period_ends = _full_dates(_PERIOD_END_RE, clean)
    if period_ends:
        anchor = max(period_ends)
    else:
        dates = _full_dates(_FULL_DATE_RE, clean)
        if not dates:
            years = Counter(_YEAR_RE.findall(clean)).most_common(1)
            return int(years[0][0]) if years else None
        anchor = Counter(dates).most_common(1)[0][0]
    same_year = _safe_date(anchor.year, month, day)
    return anchor.year if same_year and same_year > anchor else anchor.year + 1


@dataclass(frozen=True)
class _Dateline:
    line: int     # index of the line it starts
    end: int      # offset just after it
    date: Optional[dt.date]


def _find_dateline(clean: str, lines: list[_Line], in_table: set[int],
                   section: _Section) -> Optional[_Dateline]:
    """The "CITY, State--(WIRE)--Date--" opening of the first paragraph, near the top."""
    candidates = (index for index, line in enumerate(lines)  # lazy: only the first few are read
                  if line.kind is not _LineKind.BLANK and index not in in_table)
    for index in itertools.islice(candidates, _DATELINE_SEARCH):
        lead = lines[index].lead
        limit = min(section.end, lead + _DATELINE_REACH)
        for pattern in (_WIRE_DATELINE_RE, _DATED_DATELINE_RE):
            match = pattern.match(clean, lead, limit)
            if match:
                return _Dateline(index, match.end(), _date_of(match, clean))
    return None


# --------------------------------------------------------------------------- paragraphs

_LIST_MARKER_RE = re.compile(r"(?:-{1,2}|[*•·o]|\d{1,2}[.)]|\(\d{1,2}\)|\(?[a-z]\))\s")
_LEGAL_PHRASES = (  # (a word in every match, the phrase); searched in lower-cased text
    ("looking", r"forward[-\s]looking\s+statements?"), ("harbor", r"safe\s+harbor"),
    ("litigation", r"private\s+securities\s+litigation"), ("reliance", r"undue\s+reliance"),
    ("conference", r"conference\s+call"), ("web", r"\bweb\s?cast"),
    ("trade", r"trade\s?marks?\s+of\b"), ("service", r"service\s+marks?"),
    ("respective", r"respective\s+(?:owners|holders)"),
    ("trade", r"\b(?:is|are)\s+(?:a\s+)?(?:registered\s+)?trade\s?marks?\b"))
_BOILERPLATE_RE = re.compile(  # searched in lower-cased text: twice as fast as re.I
    "(?=[fspucwtria])(?:"  # the phrases' first characters: a fast reject of the others
    + "|".join(phrase for _, phrase in _LEGAL_PHRASES) + ")")
_LEGAL_WORDS = frozenset(word for word, _ in _LEGAL_PHRASES)
_CONTACT_RE = re.compile(
    r"/?\s*(?:contacts?|(?:investor|media|press)\s+(?:relations|contacts?|inquiries))\b", re.I)
_BOILERPLATE_START_RE = re.compile(
    r"(?:/?\s*source|/?\s*web\s*site|for\s+(?:further|more|additional)\s+information"
    r"|exhibit\s+99|for\s+immediate\s+release|news\s+release|press\s+release)\b"
    r"|#\s*#\s*#|-\s*0\s*-|-\s*more\s*-", re.I)
_ABOUT_RE = re.compile(r"(?i:about\s+(?:the\s+)?)[A-Z]")   # "About Acme", not "About 60%"
_BOILERPLATE_HEADING_RE = re.compile(
    r"(?:about|conference\s+call|webcast|cautionary|safe\s+harbor|forward[-\s]looking"
    r"|(?:investor|media|press)\s+(?:contacts?|relations)|contacts?"
    r"|for\s+(?:further|more|additional)\s+information)\b", re.I)
_SMALL_WORDS = frozenset("a an and as at by for from in of on or the to with vs".split())


def _paragraphs(lines: list[_Line], in_table: set[int],
                dateline: Optional[_Dateline]) -> list[tuple[int, int]]:
    """(first, last) line indices of each prose paragraph.

    A paragraph ends at a blank line, at a table, before a list item, before an indented
    first line (EDGAR's way), and after a title line that heads a longer one."""
    paragraphs: list[tuple[int, int]] = []
    first = last = None
    for index, line in enumerate(lines):
        if line.kind is _LineKind.BLANK or index in in_table:
            if first is not None:
                paragraphs.append((first, last))
            first = last = None
            continue
        if first is None or (dateline and index == dateline.line) or _opens_paragraph(
                line, lines[last], lines[first], last == first):
            if first is not None:
                paragraphs.append((first, last))
            first = index
        last = index
    if first is not None:
        paragraphs.append((first, last))
    return paragraphs


def _opens_paragraph(line: _Line, previous: _Line, first: _Line, single: bool) -> bool:
    """Whether `line` starts a paragraph although no blank line precedes it.

    An indent deeper than the line before, but no deeper than the paragraph's first line, is
    EDGAR's new paragraph; deeper still, it is the hanging indent of a list item or contact."""
    if previous.indent < line.indent <= first.indent:
        return True
    if _LIST_MARKER_RE.match(line.body + " ") and (
            line.indent > 0 or previous.body.endswith((".", ";", ":"))):
        return True
    return single and _is_heading_text(first.body) and len(line.body) >= max(
        40, 2 * len(first.body))


def _is_heading_text(body: str) -> bool:
    """A short title-like line: "Conference Call", "Second Quarter Financial Highlights"."""
    words = body.split()
    if not words or len(body) > 80 or len(words) > 10:
        return False
    if not (body[0].isupper() or body[0].isdigit()) or body.endswith((".", ",", ";", "!", "?")):
        return False
    if _LIST_MARKER_RE.match(body + " ") or _is_figure_line(body):
        return False
    content = [word for word in words if word.lower() not in _SMALL_WORDS]
    capitalised = sum(1 for word in content if word[0].isupper() or word[0].isdigit())
    return 2 * capitalised >= len(content)


def _is_headline_text(text: str) -> bool:
    """A title-like paragraph at the top, when no dateline marks where the headline ends."""
    return len(text) <= 250 and text[0].isupper() and not text.endswith((".", ",", ";"))


# --------------------------------------------------------------------------- blocks

def _flat(clean: str, start: int, end: int) -> str:
    return " ".join(clean[start:end].split())


def _block(kind: BlockKind, clean: str, start: int, end: int, exhibit: str) -> Block:
    return Block(kind, start, end, clean[start:end], exhibit)


def _release_blocks(clean: str, lines: list[_Line], paragraphs: list[tuple[int, int]],
                    dateline: Optional[_Dateline], first_table: int,
                    exhibit: str) -> Iterator[Block]:
    """Headline, dateline, narrative, headings and boilerplate of the prose paragraphs."""
    spans = [(lines[first].lead, lines[last].stop, first == last) for first, last in paragraphs]
    opening = next((number for number, (first, _) in enumerate(paragraphs)
                    if dateline and first == dateline.line), None)
    if opening is None:
        opening = _headline_count(clean, spans, first_table)
        body = spans[opening:]
    else:
        start, end, _ = spans[opening]
        split = min(dateline.end, end)
        while split > start and clean[split - 1].isspace():
            split -= 1
        yield _block(BlockKind.DATELINE, clean, start, split, exhibit)
        rest = len(clean[split:end]) - len(clean[split:end].lstrip()) + split
        if rest < end:
            yield _block(BlockKind.NARRATIVE, clean, rest, end, exhibit)
        body = spans[opening + 1:]
    for start, end, _ in spans[:opening]:
        kind = (BlockKind.BOILERPLATE if _is_boilerplate_opening(_flat(clean, start, end))
                else BlockKind.HEADLINE)
        yield _block(kind, clean, start, end, exhibit)
    for kind, start, end in _classify_body(clean, body):
        yield _block(kind, clean, start, end, exhibit)


def _headline_count(clean: str, spans: list[tuple[int, int, bool]], first_table: int) -> int:
    """How many paragraphs at the top, above any table, read as a headline (no dateline)."""
    count = 0
    for start, end, _ in spans:
        if start > first_table or not _is_headline_text(_flat(clean, start, end)):
            break
        count += 1
    return min(count, 3)


def _is_boilerplate_opening(text: str) -> bool:
    return bool(_CONTACT_RE.match(text) or _BOILERPLATE_START_RE.match(text))


def _classify_body(clean: str,
                   spans: list[tuple[int, int, bool]]) -> Iterator[tuple[BlockKind, int, int]]:
    """Kinds of the paragraphs after the dateline.

    The company profile under an "About <Company>" heading is ABOUT (its figures are claims
    about the company) until the legal text starts; everything after it, or after a contact
    block, is boilerplate; so is a section under
    a boilerplate heading ("Conference Call", "Forward-Looking Statements"); list items take the
    kind of the paragraph that leads into them."""
    rest_is_boilerplate = in_boilerplate_section = in_about = False
    lead_kind = BlockKind.NARRATIVE
    for start, end, single in spans:
        text = _flat(clean, start, end)
        if _is_boilerplate_opening(text):
            rest_is_boilerplate = rest_is_boilerplate or bool(_CONTACT_RE.match(text))
            in_about = False
            yield BlockKind.BOILERPLATE, start, end
            continue
        if single and _is_heading_text(text):
            in_boilerplate_section = bool(_BOILERPLATE_HEADING_RE.match(text))
            in_about = bool(_ABOUT_RE.match(text)) and not rest_is_boilerplate
            rest_is_boilerplate = rest_is_boilerplate or bool(_ABOUT_RE.match(text))
            lead_kind = (BlockKind.BOILERPLATE if in_boilerplate_section or rest_is_boilerplate
                         else BlockKind.NARRATIVE)
            yield BlockKind.HEADING, start, end
            continue
        if _LIST_MARKER_RE.match(text + " "):
            yield lead_kind, start, end
            continue
        rest_is_boilerplate = rest_is_boilerplate or bool(_ABOUT_RE.match(text))
        if in_about:
            in_about = not _is_legal(text)
            lead_kind = BlockKind.ABOUT if in_about else BlockKind.BOILERPLATE
        else:  # the legal text is searched for (a long search) only where it decides the kind
            lead_kind = (BlockKind.BOILERPLATE
                         if rest_is_boilerplate or in_boilerplate_section or _is_legal(text)
                         else BlockKind.NARRATIVE)
        yield lead_kind, start, end


def _is_legal(text: str) -> bool:
    """Whether a paragraph holds legal boilerplate; most hold none of the legal words, and
    looking for those words is much faster than the search."""
    lowered = text.lower()
    return any(word in lowered for word in _LEGAL_WORDS) and bool(_BOILERPLATE_RE.search(lowered))


# --------------------------------------------------------------------------- issuer

_MARKS_RE = re.compile(r"\((?:R|TM|SM)\)|[®™℠]", re.I)
_TICKER_RE = re.compile(
    r"\(\s*(?P<exchange>(?:NASDAQ|NYSE|AMEX|OTC|OTCBB|TSX|TSXV|ASX|LSE|ARCA|PINK|CBOE|BATS)\b"
    r"[A-Za-z /.\-]{0,40}?)\s*:\s*(?P<ticker>[A-Za-z][A-Za-z0-9]{0,5}(?:[.\-][A-Za-z0-9]{1,3})?)"
    r"\s*[),;]", re.I)
_SUFFIX_RE = re.compile(
    r",?\s+(?P<suffix>Inc\.|Incorporated|Corporation|Corp\.|Company|Co\.|Ltd\.|Limited|LLC|"
    r"L\.P\.|plc|N\.V\.|S\.A\.|AG|SE)(?![A-Za-z])")
_NAME_SUFFIXES = frozenset(
    "inc inc. incorporated corporation corp corp. company co co. ltd ltd. limited llc l.p. "
    "lp plc n.v. s.a. ag se".split())
_NAME_CONNECTORS = frozenset({"&", "and", "of", "de"})
_NAME_STOP_WORDS = frozenset({"The", "This", "That", "Our", "A", "An", "Its"})
_NAME_BREAKS = ("--", "—", "–", "/")
_NAME_WINDOW = 300
_NAME_WORDS = 10


def _issuer(clean: str, section: _Section, header: _SecHeader) -> Issuer:
    """Name, exchange and ticker from the first "(Nasdaq:CPST)"; names fall back in turn on the
    SEC header and on the first "<Name> Corporation" of the prose."""
    ticker = _TICKER_RE.search(clean, section.start, section.end)
    if ticker:
        name = (_name_before(clean, ticker.start(), section.start) or header.company
                or _name_with_suffix(clean, section))
        return Issuer(name, _normalise_exchange(ticker.group("exchange")),
                      ticker.group("ticker").upper())
    return Issuer(header.company or _name_with_suffix(clean, section), None, None)


def _normalise_exchange(raw: str) -> str:
    """"Nasdaq/NM" and "NASDAQ Global Select Market" are NASDAQ; "OTC  BB" is "OTC BB"."""
    name = " ".join(raw.upper().split("/")[0].split())
    return "NASDAQ" if name.startswith("NASDAQ") else name


def _name_with_suffix(clean: str, section: _Section) -> Optional[str]:
    for match in _SUFFIX_RE.finditer(clean, section.start, section.end):
        name = _name_before(clean, match.start(), section.start)
        if name:
            comma = "," if match.group().startswith(",") else ""
            return f"{name}{comma} {match.group('suffix')}"
    return None


def _name_before(clean: str, position: int, floor: int) -> Optional[str]:
    """The run of capitalised words just before `position`: the company a ticker belongs to."""
    window = _MARKS_RE.sub("", clean[max(floor, position - _NAME_WINDOW):position]).rstrip()
    while window.endswith(")") and "(" in window:
        window = window[:window.rfind("(")].rstrip()
    words: list[str] = []
    for token in reversed(window.split()):
        word, boundary = _after_break(token)
        if not _continues_name(word, words):
            break
        words.append(word)
        if boundary or len(words) >= _NAME_WORDS:
            break
    while words and words[-1] in _NAME_CONNECTORS:
        words.pop()
    name = " ".join(reversed(words)).strip(" ,")
    return name if any(char.isalpha() for char in name) else None


def _after_break(token: str) -> tuple[str, bool]:
    """The part of a token after a dateline dash or a wire slash, and whether there was one."""
    ends = [token.rfind(mark) + len(mark) for mark in _NAME_BREAKS if mark in token]
    return (token[max(ends):], True) if ends else (token, False)


def _continues_name(word: str, words: list[str]) -> bool:
    """Whether `word` extends leftward the name whose words (right to left) are `words`."""
    if not word or word in _NAME_STOP_WORDS or word.endswith(":") or word.startswith("("):
        return False
    if word in _NAME_CONNECTORS:
        return bool(words)
    if not (word[0].isupper() or word[0].isdigit()):
        return False
    if word.endswith(","):
        return bool(words) and words[-1].lower().rstrip(",") in _NAME_SUFFIXES
    return not word.endswith(")")


# --------------------------------------------------------------------------- the reader

def _release_date(clean: str, section: _Section, blocks: list[Block],
                  dateline: Optional[_Dateline], header: _SecHeader) -> Optional[dt.date]:
    """The dateline's date; else a date above the first narrative or in its opening words
    ("Dallas, TX (February 8, 2006) - Acme ..."); else the SEC filing date."""
    if dateline and dateline.date:
        return dateline.date
    first_narrative = next((block.start for block in blocks
                            if block.kind is BlockKind.NARRATIVE), section.end)
    opening = min(section.end, first_narrative + _OPENING_WORDS)
    for match in _ANY_DATE_RE.finditer(clean, section.start, opening):
        date = _date_of(match, clean)
        if date:
            return date
    return header.filed


def _section_blocks(text: str, clean: str, section: _Section) -> tuple[list[Block],
                                                                       Optional[_Dateline]]:
    """Blocks of one section: all kinds for the press release, tables only for other EX-99s."""
    lines = _lines(clean, section.start, section.end)
    ranges = _table_ranges(text, lines, section)
    blocks = [_block(BlockKind.TABLE, clean, lines[first].lead, lines[last].stop,
                     section.exhibit) for first, last in ranges]
    if not section.is_release:
        return blocks, None
    in_table = {index for first, last in ranges for index in range(first, last + 1)}
    dateline = _find_dateline(clean, lines, in_table, section)
    paragraphs = _paragraphs(lines, in_table, dateline)
    first_table = min((block.start for block in blocks), default=section.end)
    blocks.extend(_release_blocks(clean, lines, paragraphs, dateline, first_table,
                                  section.exhibit))
    return blocks, dateline


def read_release(source: Source, doc: Optional[str] = None, *,
                 max_bytes: int = MAX_BYTES) -> Release:
    """Read a release from a path, raw bytes or its text.

    A str is a path when it names an existing file, and release text when it holds a line
    break or is long; a short one-line str naming no file raises ReleaseError. `doc` defaults
    to the file name ("<bytes>", "<text>"). Raises ReleaseError (only) on input that is not a
    release: empty, binary, larger than `max_bytes`, unreadable."""
    text, encoding, default_doc = _load(source, max_bytes)
    _check_content(text)
    sections = _sections(text)
    clean = _clean(text, sections)
    header = _sec_header(text)
    release = next(section for section in sections if section.is_release)
    blocks: list[Block] = []
    dateline = None
    for section in sections:
        section_blocks, section_dateline = _section_blocks(text, clean, section)
        blocks.extend(section_blocks)
        dateline = dateline or section_dateline
    blocks.sort(key=lambda block: block.start)
    return Release(
        doc=doc if doc is not None else default_doc,
        text=text,
        clean=clean,
        blocks=tuple(blocks),
        issuer=_issuer(clean, release, header),
        date=_release_date(clean, release, blocks, dateline, header),
        encoding=encoding)
