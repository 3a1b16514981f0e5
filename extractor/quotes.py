"""Direct quotations in the prose of a release, each with the speaker it is attributed to.

Works on plain text with offsets (no NLP model): quotation marks are paired paragraph by
paragraph, parts of one quotation are linked (a paragraph that reopens an unclosed quote, or
an attribution that splits a quote in two), then each quotation looks for an attribution
("..., said Jane Doe, CFO of Acme.", "Acme's CFO, Jane Doe, said, ...", "Doe noted, ...")
before it, after it or between its parts. Titles come from `patterns/roles.jsonl`, the speech
verbs and name words from `patterns/attribution.json`.

Decisions:
- A quotation with no attribution has speaker None. It inherits the speaker of the previous
  quotation of the same paragraph (`"A," said Doe. "B."`), never across paragraphs.
- Unattributed quotes of fewer than `MIN_UNATTRIBUTED_WORDS` words are terms or names
  (`("R&D")`, `"Capstone Turbine Corp."`), not speech: they are not emitted.
- An unclosed quote ends at the end of its paragraph, so a stray quotation mark never
  flips the rest of the document; a closing mark in a later paragraph (a quote running over
  a bulleted list) still closes it when no other quote opens first.
- A surname or "Ms. Doe" resolves to the full name met earlier in the release (attribution
  first, else an earlier "First Last" in the text); a role, once given, sticks to the person.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Iterable, Mapping, Optional

from .models import Quote, Speaker

MIN_UNATTRIBUTED_WORDS = 4
MAX_NAME_WORDS = 5
MAX_PRINTED_TITLE_WORDS = 12
MAX_PHRASE_WORDS = 14
MAX_SEGMENT_CHARS = 100
UNWRAPPED_LINE_CHARS = 160
MAX_CLAUSE_CHARS = 400

ROLE_KEYS = frozenset({"id", "titles", "role", "example"})
ATTRIBUTION_KEYS = frozenset({"verbs", "honorifics", "pronouns", "title_modifiers", "abbreviations"})

OPENERS = "\u201c\u201e\u00ab\x93"
CLOSERS = "\u201d\u00bb\x94"
STRAIGHT = '"'
_MARK = re.compile(f"[{STRAIGHT}{OPENERS}{CLOSERS}]")
_BEFORE_OPENER = "([{\u2014-/"
_WORD = re.compile(r"\w+")
_NAME_WORD = r"(?:[A-Z][a-zA-Z]*[a-z][a-zA-Z]*(?:['\u2019-][A-Z][a-zA-Z]*)*|[A-Z]\.)"
_POSSESSIVE = re.compile(r"^(?:.*?\s)?\S+(?:['\u2019]s|s['\u2019])\s+", re.S)
_SPLIT_BREAK = "\x00"
_FULL_NAME = re.compile(r"(?=\b([A-Z][a-z]+(?:\s+[A-Z]\.)?)\s+([A-Z][a-zA-Z'\u2019-]*[a-z])\b)")
_SENTENCE_END = re.compile(r"[.!?]['\"\u201d\u2019)\]]*\s+(?=['\"\u201c(\[]?[A-Z0-9])")
_CONNECTOR = re.compile(r"^\s*(?:(?:of|at|for|with)\s+\S.*)?$", re.S)
_TRIM_LEAD_IN = re.compile(r"[\s,:;\u2014-]+$")
_TRIM_TRAILING = re.compile(r"^[\s,:;\u2014-]+")
_SPEECH_END = ",;:?!\u2014-"


# --- the role table --------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleRule:
    """One role of `patterns/roles.jsonl`: the titles as printed and their short form."""

    id: str
    titles: tuple[str, ...]
    role: str
    example: str


@dataclass(frozen=True)
class AttributionWords:
    """The words of `patterns/attribution.json` that mark and shape an attribution."""

    verbs: tuple[str, ...]
    honorifics: tuple[str, ...]
    pronouns: tuple[str, ...]
    title_modifiers: tuple[str, ...]
    abbreviations: tuple[str, ...]


@dataclass(frozen=True)
class RoleTable:
    """Roles and attribution words, compiled once into the patterns the scanner uses."""

    rules: tuple[RoleRule, ...]
    words: AttributionWords
    roles_by_title: Mapping[str, str]
    title: re.Pattern
    verb: re.Pattern
    name: re.Pattern
    modifiers: re.Pattern
    not_sentence_end: frozenset

    def role_of(self, title: str) -> str:
        return self.roles_by_title[" ".join(title.lower().split())]


def _alternation(phrases: Iterable[str]) -> str:
    """A regex alternation trying the longest phrase first (so compound titles win)."""
    ordered = sorted({phrase.strip() for phrase in phrases}, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in ordered)


def _build_rule(row: dict) -> RoleRule:
    ident = row.get("id")
    if not isinstance(ident, str) or not ident:
        raise ValueError(f"roles: a rule without an id: {row!r}")
    unknown = set(row) - ROLE_KEYS
    missing = ROLE_KEYS - set(row)
    if unknown or missing:
        raise ValueError(f"roles: {ident!r}: unknown keys {sorted(unknown)}, missing {sorted(missing)}")
    titles = row["titles"]
    if not isinstance(titles, list) or not titles or not all(isinstance(t, str) and t.strip() for t in titles):
        raise ValueError(f"roles: {ident!r}: titles must be a non-empty list of titles")
    if not isinstance(row["role"], str) or not row["role"].strip():
        raise ValueError(f"roles: {ident!r}: empty role")
    return RoleRule(ident, tuple(titles), row["role"], str(row["example"]))


def _build_words(data: Mapping) -> AttributionWords:
    unknown = set(data) - ATTRIBUTION_KEYS
    missing = ATTRIBUTION_KEYS - set(data)
    if unknown or missing:
        raise ValueError(f"attribution: unknown keys {sorted(unknown)}, missing {sorted(missing)}")
    if not data["verbs"]:
        raise ValueError("attribution: no speech verbs")
    return AttributionWords(**{key: tuple(str(item) for item in data[key]) for key in ATTRIBUTION_KEYS})


def compile_role_rules(rows: list[dict], attribution: Mapping) -> RoleTable:
    """Validate the role rows and the attribution words (the parsed `attribution.json`) and
    compile them into a RoleTable."""
    rules = [_build_rule(row) for row in rows]
    roles_by_title: dict[str, str] = {}
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ValueError(f"roles: duplicate id {rule.id!r}")
        seen.add(rule.id)
        for title in rule.titles:
            key = " ".join(title.lower().split())
            if roles_by_title.get(key, rule.role) != rule.role:
                raise ValueError(f"roles: {rule.id!r}: title {title!r} already has another role")
            roles_by_title[key] = rule.role
    words = _build_words(attribution)
    honorifics = _alternation(h.rstrip(".") for h in words.honorifics)
    name = rf"(?:(?:{honorifics})\.?\s+)?{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,{MAX_NAME_WORDS - 1}}}"
    return RoleTable(
        rules=tuple(rules),
        words=words,
        roles_by_title=MappingProxyType(roles_by_title),
        title=re.compile(rf"(?<!\w)(?:{_alternation(roles_by_title)})(?!\w)", re.I),
        verb=re.compile(rf"(?<!\w)(?:{_alternation(words.verbs)})(?!\w)", re.I),
        name=re.compile(name),
        modifiers=re.compile(rf"^(?:(?:{_alternation(words.title_modifiers)})\s+)+", re.I),
        not_sentence_end=frozenset(w.rstrip(".").lower() for w in words.honorifics + words.abbreviations),
    )


# --- quotation marks and paragraphs -----------------------------------------------------------


class MarkKind(Enum):
    """Which side of a quotation a mark stands on; EITHER for a straight mark inside a word."""

    OPEN = "open"
    CLOSE = "close"
    EITHER = "either"


@dataclass(frozen=True)
class _Part:
    """One quoted stretch: `start..end` the words inside the marks, `close` the closing mark
    (None for a quote left open), `paragraph` the one it opens in, `last` the one it ends in."""

    start: int
    end: int
    opener: int
    close: Optional[int]
    paragraph: tuple[int, int]
    last: tuple[int, int]


def _runs(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans clipped, sorted and joined where only whitespace separates them: a quotation
    may run over several paragraph spans, never over a heading or a table between them."""
    runs: list[list[int]] = []
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if start >= end:
            continue
        if runs and not text[runs[-1][1]:start].strip():
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    return [(start, end) for start, end in runs]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _paragraphs(text: str, run: tuple[int, int]) -> list[tuple[int, int]]:
    """Paragraphs of a run. A new one starts after a blank line; at a line indented deeper
    than the one before, or as deep but deeper than the run's least indented line (the
    first-line indent of wire-service text); and after an unwrapped line, one paragraph long."""
    lines = text[run[0]:run[1]].split("\n")
    indents = [_indent(line) if line.strip() else None for line in lines]  # None: a blank line
    base = min((indent for indent in indents if indent is not None), default=0)
    paragraphs: list[list[int]] = []
    previous: Optional[tuple[int, int]] = None  # indent and length of a non-blank line before
    offset = run[0]
    for line, indent in zip(lines, indents):
        if indent is not None:
            if (previous is None or indent > previous[0] or previous[1] > UNWRAPPED_LINE_CHARS
                    or indent == previous[0] > base):
                paragraphs.append([offset + indent, offset + len(line.rstrip())])
            else:
                paragraphs[-1][1] = offset + len(line.rstrip())
            previous = indent, len(line)
        else:
            previous = None
        offset += len(line) + 1
    return [(start, end) for start, end in paragraphs]


def _mark_kind(text: str, pos: int, low: int, high: int) -> Optional[MarkKind]:
    """Curly marks say which side they are; a straight one is read from its neighbours."""
    char = text[pos]
    if char in OPENERS:
        return MarkKind.OPEN
    if char in CLOSERS:
        return MarkKind.CLOSE
    before = text[pos - 1] if pos > low else " "
    after = text[pos + 1] if pos + 1 < high else " "
    space_before = before.isspace() or before in _BEFORE_OPENER or before in OPENERS
    if space_before and after.isspace():
        return None
    if space_before:
        return MarkKind.OPEN
    if after.isspace() or not after.isalnum():
        return MarkKind.CLOSE
    return MarkKind.EITHER


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _quote_parts(text: str, run: tuple[int, int]) -> list[_Part]:
    """Pair the marks of a run into quoted parts (see the module docstring for the rules)."""
    paragraphs = _paragraphs(text, run)
    starts = [start for start, _ in paragraphs]

    def paragraph_of(pos: int) -> tuple[int, int]:
        return paragraphs[max(0, bisect.bisect_right(starts, pos) - 1)]

    parts: list[_Part] = []
    opener: Optional[int] = None

    def close_at(limit: int, close: Optional[int]) -> None:
        paragraph = paragraph_of(opener)
        end = close if close is not None else min(paragraph[1], limit)
        start, end = _trimmed(text, opener + 1, end)
        if start < end:
            parts.append(_Part(start, end, opener, close, paragraph, paragraph_of(end - 1)))

    for match in _MARK.finditer(text, run[0], run[1]):
        kind = _mark_kind(text, match.start(), run[0], run[1])
        if kind is MarkKind.OPEN or (kind is MarkKind.EITHER and opener is None):
            if opener is not None:
                close_at(match.start(), None)
            opener = match.start()
        elif kind is not None and opener is not None:
            close_at(match.start(), match.start())
            opener = None
    if opener is not None:
        close_at(run[1], None)
    return parts


# --- linking parts into quotations ------------------------------------------------------------


def _sentence_starts(text: str, start: int, end: int, table: RoleTable) -> list[int]:
    """Where sentences begin inside start..end (not after "Mr.", "Inc." or an initial)."""
    found = []
    for match in _SENTENCE_END.finditer(text, start, min(len(text), end + 2)):
        if match.end() > end:
            break
        word = text[start:match.start() + 1].rsplit(None, 1)[-1].lstrip("(\"'\u201c")
        stem = word.rstrip(".!?").lower()
        if word.endswith(".") and (stem in table.not_sentence_end or (len(stem) == 1 and stem.isalpha())):
            continue
        found.append(match.end())
    return found


def _ends_in_speech_comma(text: str, part: _Part) -> bool:
    """`"...," said Doe` — a quote ending in a comma (or ?, !, a dash) runs into its attribution."""
    return text[part.end - 1] in _SPEECH_END


def _continues(text: str, previous: _Part, part: _Part, table: RoleTable) -> bool:
    """Same quotation: the next paragraph reopening a quote left open, or an attribution
    between two parts of one sentence (`"...," said Doe, "and ..."`)."""
    if previous.close is None:
        return part.paragraph[0] == part.opener and not text[previous.end:part.opener].strip()
    return (part.paragraph == previous.last and _ends_in_speech_comma(text, previous)
            and not _sentence_starts(text, previous.close + 1, part.opener, table)
            and len(_WORD.findall(text, previous.close, part.opener)) <= MAX_PHRASE_WORDS)


def _quotations(text: str, parts: list[_Part], table: RoleTable) -> list[list[_Part]]:
    groups: list[list[_Part]] = []
    for part in parts:
        if groups and _continues(text, groups[-1][-1], part, table):
            groups[-1].append(part)
        else:
            groups.append([part])
    return groups


# --- reading an attribution -------------------------------------------------------------------


@dataclass(frozen=True)
class _Mention:
    """A person as an attribution names them: a name as printed (None for a pronoun)."""

    name: Optional[str]
    role: Optional[str]


def _clean_title(segment: str, table: RoleTable) -> str:
    """ "Capstone's new CEO" -> "CEO": drop an owner's possessive and modifiers before a title."""
    segment = _POSSESSIVE.sub("", segment.strip(), count=1)
    return table.modifiers.sub("", segment).strip()


def _table_role(title: str, table: RoleTable, whole: bool) -> Optional[tuple[str, str]]:
    """(role, rest) when `title` starts with a title of the table ("President and CEO of Acme"
    keeps "President and CEO"); with `whole`, only a title optionally followed by "of Org"."""
    match = table.title.match(title)
    if not match:
        return None
    rest = title[match.end():]
    if whole and not _CONNECTOR.match(rest):
        return None
    return table.role_of(match.group()), rest.strip()


def _title_role(segment: str, table: RoleTable, printed: bool) -> Optional[str]:
    """The role a title-only segment states; with `printed`, an unknown title as printed."""
    if len(segment) > MAX_SEGMENT_CHARS:
        return None
    title = _clean_title(segment, table)
    found = _table_role(title, table, whole=True)
    if found:
        return found[0]
    words = title.split()
    if (printed and title[:1].isupper() and len(words) <= MAX_PRINTED_TITLE_WORDS
            and not any(ch.isdigit() for ch in title)):
        return " ".join(words)
    return None


def _name_in(segment: str, table: RoleTable) -> Optional[_Mention]:
    """A segment that is a name, maybe after a title ("Chairman and CEO Alan J. Lacy"),
    or a pronoun; a bare title ("Chairman") is not a name."""
    segment = " ".join(segment.split())
    if segment.lower() in table.words.pronouns:
        return _Mention(None, None)
    if len(segment) > MAX_SEGMENT_CHARS:
        return None
    title = _clean_title(segment, table)
    found = _table_role(title, table, whole=False)
    if found:
        role, rest = found
        return _Mention(rest, role) if table.name.fullmatch(rest) else None
    return _Mention(segment, None) if table.name.fullmatch(segment) else None


def _segments(phrase: str, table: RoleTable) -> list[str]:
    """Comma-separated parts of a phrase, keeping the commas inside a title ("Chairman,
    President and CEO")."""
    protected = table.title.sub(lambda m: m.group().replace(",", _SPLIT_BREAK), phrase)
    return [piece.replace(_SPLIT_BREAK, ",").strip() for piece in protected.split(",") if piece.strip()]


def _people_before_verb(phrase: str, table: RoleTable) -> list[_Mention]:
    """ "In summary, Doe" / "Acme's CFO, Jane Doe," / "Jane Doe, Acme's CFO," + verb: the
    candidate names, nearest the verb first (a one-word candidate may be a title)."""
    segments = _segments(phrase, table)
    mentions = []
    for index in range(len(segments) - 1, -1, -1):
        mention = _name_in(segments[index], table)
        if mention is None:
            continue
        after = (_title_role(segment, table, printed=True) for segment in segments[index + 1:])
        before = _title_role(segments[index - 1], table, printed=False) if index else None
        mentions.append(_Mention(mention.name, next((r for r in after if r), None) or mention.role or before))
    return mentions


def _people_after_verb(phrase: str, table: RoleTable) -> list[_Mention]:
    """Verb + "Jane Doe, President and CEO of Acme" / "Chairman and CEO Alan J. Lacy"."""
    segments = _segments(phrase, table)
    mention = _name_in(segments[0], table) if segments else None
    if mention is None:
        return []
    following = _title_role(segments[1], table, printed=True) if len(segments) > 1 else None
    return [_Mention(mention.name, mention.role or following)]


def _verb_first(clause: str, table: RoleTable) -> list[_Mention]:
    match = table.verb.match(clause)
    return _people_after_verb(clause[match.end():], table) if match else []


def _lead_in_mentions(clause: str, table: RoleTable) -> list[_Mention]:
    """The clause just before a quote: "..., Doe said," or "said Doe," or "According to Doe,"."""
    clause = _TRIM_LEAD_IN.sub("", clause).strip()
    last = None
    for last in table.verb.finditer(clause):
        pass
    if last is not None and last.end() == len(clause):
        return _people_before_verb(clause[:last.start()], table)
    return _verb_first(clause, table)


def _leading_speaker(clause: str, table: RoleTable) -> list[_Mention]:
    """A clause that opens with its speaker and a verb: "Doe said." / "Doe commented on ..."."""
    verb = table.verb.search(clause)
    if verb is None or len(_WORD.findall(clause, 0, verb.start())) > MAX_PHRASE_WORDS:
        return []
    return _people_before_verb(clause[:verb.start()], table)


def _trailing_mentions(clause: str, table: RoleTable) -> list[_Mention]:
    """The clause just after a quote: "said Doe, CFO." or "Doe said." or "she added."."""
    clause = _TRIM_TRAILING.sub("", clause).rstrip().rstrip(".")
    return _verb_first(clause, table) or _leading_speaker(clause, table)


# --- who is who in a release ------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    name: str
    role: Optional[str]


def _surname(name: str) -> str:
    return name.split()[-1]


def _without_honorific(name: str, table: RoleTable) -> tuple[str, bool]:
    words = name.split()
    bare = {h.rstrip(".") for h in table.words.honorifics}
    if len(words) > 1 and words[0].rstrip(".") in bare:
        return " ".join(words[1:]), True
    return name, False


def _introductions(text: str, table: RoleTable) -> dict[str, tuple[int, str]]:
    """Every "First [M.] Surname" of the text, the first per surname: how a release names a
    person before a quote calls them by surname alone."""
    found: dict[str, tuple[int, str]] = {}
    for match in _FULL_NAME.finditer(text):
        first, surname = match.group(1), match.group(2)
        word = first.split()[0]
        if surname in found or (table.verb.fullmatch(word) or table.title.fullmatch(word)
                                or table.modifiers.match(word + " ") or word.lower() in table.not_sentence_end):
            continue
        found[surname] = (match.start(), f"{' '.join(first.split())} {surname}")
    return found


@dataclass
class _Cast:
    """Who the release has quoted so far, by surname, and who spoke last (for "she said")."""

    text: str
    table: RoleTable
    people: dict[str, _Person] = field(default_factory=dict)
    last: Optional[_Person] = None
    introduced: Optional[dict[str, tuple[int, str]]] = None

    def resolve(self, mention: _Mention, at: int) -> Optional[_Person]:
        """The person a mention names, or None when a lone word names nobody introduced."""
        if mention.name is None:
            return self.last
        name, titled = _without_honorific(mention.name, self.table)
        known = self.people.get(_surname(name))
        if len(name.split()) > 1:
            same = known is not None and known.name == name
            return _Person(name, mention.role or (known.role if same else None))
        if known:
            return _Person(known.name, mention.role or known.role)
        if self.introduced is None:
            self.introduced = _introductions(self.text, self.table)
        where, full = self.introduced.get(name, (at, None))
        if where < at:
            return _Person(full, mention.role)
        return _Person(mention.name, mention.role) if titled else None

    def first_known(self, mentions: list[_Mention], at: int) -> Optional[_Person]:
        person = next((p for p in (self.resolve(m, at) for m in mentions) if p), None)
        if person:
            self.people[_surname(person.name)] = person
            self.last = person
        return person


# --- the attribution of a quotation -----------------------------------------------------------


def _bounds(parts: list[_Part], index: int) -> tuple[int, int]:
    """The stretch a part's attribution may sit in: from the end of the previous quote (or
    the paragraph start) to the next quote's opening (or the end of the paragraph), and
    never more than `MAX_CLAUSE_CHARS` either side: an attribution is a short clause."""
    part = parts[index]
    low = max(part.paragraph[0], part.opener - MAX_CLAUSE_CHARS)
    if index:
        previous = parts[index - 1]
        low = max(low, previous.end + 1 if previous.close is None else previous.close + 1)
    end = part.end if part.close is None else part.close
    high = min(part.last[1], end + MAX_CLAUSE_CHARS)
    if index + 1 < len(parts):
        high = min(high, parts[index + 1].opener)
    return low, high


def _attribution_candidates(text: str, part: _Part, low: int, high: int,
                            table: RoleTable) -> Iterable[tuple[list[_Mention], int]]:
    """Around one part: the clause before it, then the clause after it (when it reads as
    the attribution of this quote, not the lead-in of the next)."""
    starts = _sentence_starts(text, low, part.opener, table)
    yield _lead_in_mentions(text[starts[-1] if starts else low:part.opener], table), part.opener
    if part.close is None:
        return
    ends = _sentence_starts(text, part.close + 1, high, table)
    clause = text[part.close + 1:ends[0] if ends else high]
    runs_into_quote = not ends and _MARK.match(text, high) is not None
    if not runs_into_quote or _ends_in_speech_comma(text, part):
        yield _trailing_mentions(clause, table), part.close


def _previous_sentence(text: str, part: _Part, low: int, table: RoleTable) -> tuple[list[_Mention], int]:
    """ 'Doe commented on the quarter. "We ..."': the sentence before, if it opens with its speaker."""
    starts = _sentence_starts(text, low, part.opener, table)
    if not starts or text[starts[-1]:part.opener].strip():
        return [], part.opener
    return _leading_speaker(text[([low] + starts)[-2]:starts[-1]], table), part.opener


def _quotation_speaker(text: str, group: list[_Part], bounds: list[tuple[int, int]],
                       cast: _Cast, table: RoleTable) -> Optional[_Person]:
    """The first attribution around a quotation that names someone, in reading order."""
    for part, (low, high) in zip(group, bounds):
        for mentions, at in _attribution_candidates(text, part, low, high, table):
            person = cast.first_known(mentions, at)
            if person:
                return person
    mentions, at = _previous_sentence(text, group[0], bounds[0][0], table)
    return cast.first_known(mentions, at)


def _word_count(text: str, part: _Part) -> int:
    return len(_WORD.findall(text, part.start, part.end))


# --- public API -------------------------------------------------------------------------------


def find_quotes(doc: str, text: str, spans: list[tuple[int, int]], roles: RoleTable,
                printed: Optional[str] = None) -> list[Quote]:
    """Direct quotations inside the given prose spans, sorted, each with its speaker or None.

    `text` is read; `printed`, where given, is the original the same offsets point into (text
    being its copy with markup blanked) and is what each quote's text is taken from."""
    printed = text if printed is None else printed
    parts = [part for run in _runs(text, spans) for part in _quote_parts(text, run)]
    bounds = {part: _bounds(parts, index) for index, part in enumerate(parts)}
    cast = _Cast(text, roles)
    quotes: list[Quote] = []
    previous: Optional[tuple[_Part, Optional[_Person]]] = None
    for group in _quotations(text, parts, roles):
        person = _quotation_speaker(text, group, [bounds[part] for part in group], cast, roles)
        if (person is None and previous and previous[0].last == group[0].paragraph
                and _word_count(text, group[0]) >= MIN_UNATTRIBUTED_WORDS):
            person = previous[1]
        speaker = Speaker(person.name, person.role) if person else None
        quotes.extend(Quote(doc, part.start, part.end, printed[part.start:part.end], speaker)
                      for part in group
                      if speaker or _word_count(text, part) >= MIN_UNATTRIBUTED_WORDS)
        previous = (group[-1], person)
    return quotes


def speaker_at(quotes: list[Quote], offset: int) -> Optional[Speaker]:
    """The speaker of the quote containing `offset` (quotes sorted by start), else None."""
    index = bisect.bisect_right(quotes, offset, key=lambda quote: quote.start) - 1
    if index >= 0 and quotes[index].start <= offset < quotes[index].end:
        return quotes[index].speaker
    return None
