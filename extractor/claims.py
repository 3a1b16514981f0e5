"""Doc -> Claims: attach each figure the rules found to its metric, kind, qualifier, period, speaker.

The choices are made from the sentence around the figure, with rules whose words live in
patterns/ (metric cues, qualifier and change words, comparison markers, period phrases):
  metric     the nearest metric cue that can carry the figure's unit, preferring a cue right
             after the figure ("$16.0 million from the impairment") over one across "and";
  kind       change / pct_change / ratio / margin_change from the words around the figure;
  period     the period phrase nearest the figure on its own side of a comparison, else the
             one its figure pair shares ("$9.4 million, or ($0.12) per share"), else the
             paragraph's date or the reporting quarter; `base_period` from the phrase compared to.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable, Optional, Sequence, TypeVar

import numpy
from spacy.attrs import IDX, IS_SPACE, LENGTH
from spacy.tokens import Doc, Span

from . import periods as periods_mod
from .models import CURRENCIES, Claim, Kind, Period, Qualifier, Quantity, Quote, Unit
from .quantities import Lexicon, parse_figure
from .quotes import speaker_at
from .resources import Metric, Resources

COMPARISON_UNITS = {Unit.PERCENT, Unit.POINTS, Unit.RATIO}
TRAILING_FUNCTION_WORDS = {"the", "of", "that"}
AFTER_CUE_REACH = 5
AFTER_CUE_COST = 1.5
ACROSS_AND_COST = 5.0
SPECIFICITY = 0.5
ATTACHED_COST = 0.5
ATTACHED_BASE = 1.0
COMPONENT_COST = 3.0
SPECIFICITY_CAP = 3.0
CHANGE_REACH = 6
YEAR_LIKE = re.compile(r"(19|20)\d\d")
SEGMENT_STOP_WORDS = {"The", "Our", "Its", "This", "Each", "All", "Both", "Total"}
COUNT_NUMBER = re.compile(r"\d[\d,]*")
COMPARING_KINDS = (Kind.CHANGE, Kind.PCT_CHANGE, Kind.RATIO, Kind.MARGIN_CHANGE)
YEAR_DAYS = 300
CLAUSE_BREAKS = {"and", "but", "while", "whereas", ",", ";"}
TRAILING_PREPOSITIONS = (" in", " for", " during", " of", " at")


FOLDED = re.compile(r"\s{2,}|[^\S ]")  # every whitespace run but a lone space
PARAGRAPH_JOIN = "\n\n"


@dataclass(frozen=True)
class ProseView:
    """The prose paragraphs with each whitespace run folded to one space, joined by blank lines.

    Rules then see "$9.4 million" however the release wrapped its lines; `offsets[i]` is the
    offset in the original text of `text[i]` (one extra entry for the end)."""

    text: str
    offsets: tuple[int, ...]
    paragraphs: tuple[tuple[int, int], ...]

    def original(self, start: int, end: int) -> tuple[int, int]:
        return self.offsets[start], self.offsets[end - 1] + 1


def prose_view(text: str, spans: Sequence[tuple[int, int]]) -> ProseView:
    parts: list[str] = []
    offsets: list[int] = []
    paragraphs = []
    for start, end in spans:
        if parts:
            parts.append(PARAGRAPH_JOIN)
            offsets.extend([offsets[-1] + 1] * len(PARAGRAPH_JOIN))
        begin = len(offsets)
        first, last = stripped(text, start, end)
        position = first
        for match in FOLDED.finditer(text, first, last):  # a lone space is kept as it stands
            parts.append(text[position:match.start()])
            offsets.extend(range(position, match.start()))
            parts.append(" ")
            offsets.append(match.start())
            position = match.end()
        parts.append(text[position:last])
        offsets.extend(range(position, last))
        paragraphs.append((begin, len(offsets)))
    offsets.append(offsets[-1] + 1 if offsets else 0)
    return ProseView("".join(parts), tuple(offsets), tuple(paragraphs))


def stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """`text[start:end]` without its leading and trailing whitespace, as offsets."""
    segment = text[start:end]
    first = start + len(segment) - len(segment.lstrip())
    return first, first + len(segment.strip())


def identity_view(text: str) -> ProseView:
    return ProseView(text, tuple(range(len(text) + 1)), ((0, len(text)),))


@dataclass(frozen=True)
class ReleaseContext:
    """What the claim builder needs from the rest of the release besides the prose itself."""

    doc: str
    text: str
    view: ProseView
    periods: "periods_mod.PeriodContext"
    quotes: tuple[Quote, ...]
    release_date: Optional[dt.date]
    mentions: tuple  # period phrases of view.text, found once for every sentence

    @property
    def paragraphs(self) -> tuple[tuple[int, int], ...]:
        return self.view.paragraphs


@dataclass(frozen=True)
class Figure:
    span: Span
    quantity: Quantity
    rule: str
    start: int
    end: int


@dataclass(frozen=True)
class Mention:
    """A period phrase of the sentence with what it resolved to and how it is used."""

    start: int
    end: int
    ref: str
    periods: tuple[Period, ...]
    base: bool
    base_only: bool


def text_context(text: str, resources: Resources) -> ReleaseContext:
    """Context for a bare text (the spaCy API without a release): periods from the text alone."""
    return ReleaseContext(doc="<text>", text=text, view=identity_view(text),
                          periods=periods_mod.build_context(text, None, [], resources.period_rules),
                          quotes=(), release_date=None,
                          mentions=tuple(periods_mod.find_period_mentions(text, resources.period_rules)))


@dataclass(frozen=True)
class LexiconPhrases:
    """Lexicon phrases prepared once for the tests run on every figure (sorted, spaced,
    compiled), instead of on every call."""

    qualifiers: RankedPhrases  # phrase -> Qualifier
    change_before: re.Pattern  # a change phrase not followed by "from" or "to"
    change_after: WordsEdge
    ratio_after: WordsEdge
    comparison_end: WordsEdge
    comparisons_inside: tuple[str, ...]  # " marker "

    @classmethod
    def of(cls, lexicon: Lexicon) -> "LexiconPhrases":
        return cls(
            qualifiers=RankedPhrases.of({phrase: Qualifier(qualifier)
                                         for phrase, qualifier in lexicon.qualifiers.items()}),
            change_before=whole_words_not_before(lexicon.change_before, ("from", "to")),
            change_after=WordsEdge.of(lexicon.change_after),
            ratio_after=WordsEdge.of(lexicon.ratio_after),
            comparison_end=WordsEdge.of(lexicon.comparison_markers),
            comparisons_inside=tuple(f" {marker} " for marker in lexicon.comparison_markers))


@dataclass(frozen=True)
class RankedPhrases:
    """Phrases with a value each, the longest first (it wins over a phrase it ends with). A
    text's whole-word openings and endings are looked up, not every phrase tested."""

    ranks: dict  # phrase -> (rank, phrase, value)
    words: int  # the most words a phrase has: a longer candidate is no phrase

    @classmethod
    def of(cls, values: dict) -> "RankedPhrases":
        ordered = sorted(values, key=len, reverse=True)
        return cls({phrase: (rank, phrase, values[phrase]) for rank, phrase in enumerate(ordered)},
                   max((phrase.count(" ") + 1 for phrase in values), default=0))

    def first(self, ending: str, opening: str = "") -> Optional[tuple[str, object]]:
        """(phrase, value) of the highest-ranked phrase that `ending` is or ends with after a
        space, or that `opening` starts with before a space; None if there is none."""
        opens, ends = opening.split(" ", self.words), ending.rsplit(" ", self.words)
        candidates = [" ".join(opens[:count]) for count in range(1, len(opens))]
        candidates += [" ".join(ends[count:]) for count in range(len(ends))]
        found = [self.ranks[candidate] for candidate in candidates if candidate in self.ranks]
        return min(found)[1:] if found else None


@dataclass(frozen=True)
class WordsEdge:
    """Phrases a single-spaced text may open or end with as whole words ("of" opens "of the
    year", not "offer"): one set lookup and one str.startswith/endswith over a tuple."""

    phrases: frozenset
    opening: tuple[str, ...]  # "phrase "
    ending: tuple[str, ...]  # " phrase"

    @classmethod
    def of(cls, phrases: Sequence[str]) -> "WordsEdge":
        return cls(frozenset(phrases), tuple(phrase + " " for phrase in phrases),
                   tuple(" " + phrase for phrase in phrases))

    def opens(self, text: str) -> bool:
        return text in self.phrases or text.startswith(self.opening)

    def ends(self, text: str) -> bool:
        return text in self.phrases or text.endswith(self.ending)


def whole_words_not_before(phrases: Sequence[str], followers: Sequence[str]) -> re.Pattern:
    """A pattern for any of `phrases` as whole words of a single-spaced text, unless one of
    `followers` is the next word. A phrase that is not single-spaced words cannot match."""
    usable = [phrase for phrase in phrases if phrase and " ".join(phrase.split()) == phrase]
    phrase = "|".join(map(re.escape, usable)) or "(?!)"
    follower = "|".join(map(re.escape, followers)) or "(?!)"
    return re.compile(rf"(?<![^ ])(?:{phrase})(?![^ ])(?! (?:{follower})(?![^ ]))")


class ClaimBuilder:
    """spaCy component: builds `doc._.claims` from the figure and cue spans."""

    def __init__(self, resources: Resources):
        self.resources = resources
        self.phrases = LexiconPhrases.of(resources.lexicon)

    def __call__(self, doc: Doc) -> Doc:
        context = doc._.release_context or text_context(doc.text, self.resources)
        doc._.claims = build_claims(doc, context, self.resources, self.phrases)
        return doc


def counted_cues(doc: Doc, words: Words, figures: list[Span], cues: list[Span],
                 resources: Resources) -> list[Span]:
    """"12,000 subscribers": a number right before the cue of a counted metric is a figure."""
    taken = {index for span in figures for index in range(span.start, span.end)}
    found = []
    for cue in cues:
        number = cue.start - 1
        if (number >= 0 and number not in taken and COUNT_NUMBER.fullmatch(words.text[number])
                and Unit.UNITS in resources.metrics[cue.label_].units):
            found.append(Span(doc, number, cue.end, label="COUNT", span_id="counted_cue"))
    return found


def build_claims(doc: Doc, context: ReleaseContext, resources: Resources,
                 phrases: LexiconPhrases) -> list[Claim]:
    """`context.view.text` is the doc's text: spaCy's Doc.text and Span.text rebuild it token
    by token, so the text is sliced by character offsets instead."""
    claims: list[Claim] = []
    paragraph_metric: dict[int, str] = {}
    words = Words.of(doc, context.view.text)
    figure_spans = list(doc.spans.get("figures", []))
    cue_spans = list(doc.spans.get("metric_cues", []))
    extra = counted_cues(doc, words, figure_spans, cue_spans, resources)
    if extra:
        figure_spans = sorted(figure_spans + extra)
        doc.spans["figures"] = figure_spans
    sentences = list(doc.sents)
    tokens = [(sentence.start, sentence.end) for sentence in sentences]
    figures_by_sentence = inside_each(tokens, figure_spans, lambda span: (span.start, span.end))
    cues_by_sentence = inside_each(tokens, cue_spans, lambda span: (span.start, span.end))
    characters = [(sentence.start_char, sentence.end_char) for sentence in sentences]
    mentions_by_sentence = inside_each(characters, context.mentions,
                                       lambda mention: (mention.start, mention.end))
    dates = ParagraphDates(context, resources.period_rules)
    for index, sentence in enumerate(sentences):
        figures = sentence_figures(figures_by_sentence[index], context.view.text, resources.lexicon)
        if not figures:
            continue
        paragraph = paragraph_of(context.paragraphs, sentence.start_char)
        builder = SentenceClaims(doc, words, sentence, figures, cues_by_sentence[index],
                                 mentions_by_sentence[index], context, resources, phrases,
                                 paragraph, paragraph_metric.get(paragraph), dates)
        found = builder.claims()
        if found:
            paragraph_metric[paragraph] = found[0].metric
        claims.extend(found)
    return claims


@dataclass(frozen=True)
class Words:
    """Each token's text and lower-case form, read out of spaCy once per doc: the rules look at
    words around every figure, and a spaCy Token object costs more than a list lookup."""

    text: list[str]
    lower: list[str]
    spoken: list[int]  # the tokens that are not whitespace, ascending

    @classmethod
    def of(cls, doc: Doc, text: str) -> "Words":
        """Cut out of the doc's text at the token offsets: no Token object per token."""
        columns = doc.to_array([IDX, LENGTH, IS_SPACE])
        starts, lengths = columns[:, :2].T.tolist()
        texts = [text[start:start + length] for start, length in zip(starts, lengths)]
        spoken = numpy.flatnonzero(columns[:, 2] == 0).tolist()
        return cls(texts, [word.lower() for word in texts], spoken)

    def between(self, left: int, right: int) -> list[int]:
        """The tokens from `left` up to `right` that are not whitespace."""
        return self.spoken[bisect.bisect_left(self.spoken, left):bisect.bisect_left(self.spoken, right)]


Item = TypeVar("Item")


def inside_each(ranges: Sequence[tuple[int, int]], items: Iterable[Item],
                bounds: Callable[[Item], tuple[int, int]]) -> list[list[Item]]:
    """The items that lie wholly inside each of the ordered, disjoint `ranges`, in their order;
    one bisection per item instead of a scan of every item per range."""
    starts = [start for start, _ in ranges]
    grouped: list[list[Item]] = [[] for _ in ranges]
    for item in items:
        start, end = bounds(item)
        index = bisect.bisect_right(starts, start) - 1
        if index >= 0 and end <= ranges[index][1]:
            grouped[index].append(item)
    return grouped


class ParagraphDates:
    """The date each paragraph ends with, read only for a paragraph where a figure has no
    period of its own (reading it can run every period rule over the paragraph's tail)."""

    def __init__(self, context: ReleaseContext, rules: Sequence):
        self.context, self.rules = context, rules
        self.found: dict[int, Optional[Period]] = {}

    def of(self, paragraph: int) -> Optional[Period]:
        if paragraph not in self.found:
            self.found[paragraph] = paragraph_date(self.context, paragraph, self.rules)
        return self.found[paragraph]


def paragraph_date(context: ReleaseContext, paragraph: int, rules: Sequence) -> Optional[Period]:
    """A paragraph that ends with its own date, "(Oct. 24, 2005.)", speaks of that day."""
    if not 0 <= paragraph < len(context.paragraphs):
        return None
    start, end = context.paragraphs[paragraph]
    tail = context.view.text[max(start, end - 40):end]
    if not any(rule.pattern.search(tail) for rule in rules if rule.ref == periods_mod.RefKind.DATE):
        return None  # no date phrase at all: the scan with every rule below is the costly part
    dated = [m for m in periods_mod.find_period_mentions(tail, rules)
             if m.ref == periods_mod.RefKind.DATE and not tail[m.end:].strip(" .)\n")]
    if not dated:
        return None
    found = periods_mod.resolve_periods(dated[-1], context.periods)
    return found[0] if found else None


def paragraph_of(paragraphs: Sequence[tuple[int, int]], offset: int) -> int:
    for index, (start, end) in enumerate(paragraphs):
        if start <= offset < end:
            return index
    return -1


def sentence_figures(spans: list[Span], text: str, lexicon: Lexicon) -> list[Figure]:
    figures = []
    for span in (part for whole in spans for part in range_or_change(whole, lexicon)):
        if is_period_fraction(span, lexicon):
            continue
        span = trimmed(span)
        quantity = parse_figure(text[span.start_char:span.end_char], span.label_, lexicon)
        if quantity is None or is_year(span, quantity):
            continue
        figures.append(Figure(span, quantity, span.id_ or span.label_, span.start_char, span.end_char))
    return sorted(figures, key=lambda figure: figure.start)


def trimmed(span: Span) -> Span:
    """The figure words only: a count keeps its number ("48" of "48 of its ... systems")."""
    doc, start, end = span.doc, span.start, span.end
    if span.label_ == "COUNT" and end - start > 2:
        end = start + 1
    while end - start > 1 and doc[end - 1].lower_ in TRAILING_FUNCTION_WORDS:
        end -= 1
    if (start, end) == (span.start, span.end):
        return span
    return Span(doc, start, end, label=span.label_, span_id=span.id_)


def range_or_change(span: Span, lexicon: Lexicon) -> list[Span]:
    """"$2.10 to $2.20" is a range, but "by $2.1 million to $3.4 million" and "from ... to ..."
    are two figures (a change and a level, or the old and the new level)."""
    if span.label_ != "MONEY_RANGE" or span.start == 0 or \
            span.doc[span.start - 1].lower_ not in lexicon.range_blockers:
        return [span]
    joint = next(token.i for token in span if token.lower_ in ("to", "-"))
    return [Span(span.doc, span.start, joint, label="MONEY", span_id="money"),
            Span(span.doc, joint + 1, span.end, label="MONEY", span_id="money")]


def is_period_fraction(span: Span, lexicon: Lexicon) -> bool:
    """"the first half of fiscal 2004" names a period, not a ratio."""
    return span.label_ == "RATIO" and span.start > 0 and \
        span.doc[span.start - 1].lower_ in lexicon.ratio_blockers


def is_year(span: Span, quantity: Quantity) -> bool:
    return span.label_ == "COUNT" and YEAR_LIKE.fullmatch(span[0].text) is not None


class SentenceClaims:
    """The claims of one sentence; figures are decided together since they share phrases."""

    def __init__(self, doc: Doc, words: Words, sentence: Span, figures: list[Figure], cues: list[Span],
                 period_mentions: list, context: ReleaseContext, resources: Resources,
                 phrases: LexiconPhrases, paragraph: int, paragraph_metric: Optional[str],
                 dates: ParagraphDates):
        self.doc, self.words, self.sentence, self.figures = doc, words, sentence, figures
        self.context, self.resources, self.lexicon = context, resources, resources.lexicon
        self.phrases = phrases
        self.paragraph, self.paragraph_metric = paragraph, paragraph_metric
        self.dates = dates
        self.cues = cues
        self.figure_starts = [figure.span.start for figure in figures]  # ascending, as the figures
        self.figure_start_set = set(self.figure_starts)
        self.text = context.view.text
        self.mentions = self.find_mentions(period_mentions)
        self.sentence_text = self.text[sentence.start_char:sentence.end_char]
        self.lower = self.sentence_text.lower()

    # ---- metric -------------------------------------------------------------------------
    def compatible(self, metric: Metric, quantity: Quantity) -> bool:
        if quantity.unit in metric.units:
            return True
        if quantity.unit in CURRENCIES and Unit.USD in metric.units:
            return True  # a money metric in another currency ("C$52 million")
        if quantity.unit in COMPARISON_UNITS:
            return metric.id != "other"
        return quantity.unit == Unit.USD and metric.units == (Unit.USD_PER_SHARE,) and quantity.value < 1000

    def words_between(self, left: int, right: int) -> list[str]:
        return [self.words.lower[index] for index in self.words.between(left, right)]

    def figure_between(self, left: int, right: int) -> bool:
        index = bisect.bisect_left(self.figure_starts, left)
        return index < len(self.figure_starts) and self.figure_starts[index] < right

    def cue_cost(self, cue: Span, figure: Figure) -> Optional[float]:
        span = figure.span
        if cue.start < span.end and span.start < cue.end:
            return -1.0
        if cue.start >= span.end:
            between = self.words_between(span.end, cue.start)
            if len(between) > AFTER_CUE_REACH or self.figure_between(span.end, cue.start):
                return None
            if figure.quantity.unit == Unit.PERCENT and between == ["of"]:
                return None  # "28.4% of revenues": the denominator, not what the figure measures
            if any(word in {",", ";"} for word in between):
                return None
            if all(word in self.lexicon.attach_after for word in between):
                return ATTACHED_COST * len(between) + ATTACHED_BASE
            return len(between) + AFTER_CUE_COST
        if cue.end <= span.start:
            between = self.words_between(cue.end, span.start)
            cost = float(len(between))
            if self.joined_by_and(span) and self.has_cue_after(figure):
                cost += ACROSS_AND_COST
            if any(word in self.lexicon.component_verbs for word in between):
                cost += COMPONENT_COST
            return cost
        return None

    def joined_by_and(self, span: Span) -> bool:
        """True when the figure opens a new conjunct ("... sales and $0.9 million from ...")."""
        lower = self.words.lower
        index = span.start - 1
        while index >= self.sentence.start and (not lower[index].strip() or
                                                 lower[index] in {"a", "an", "the"}):
            index -= 1
        return index >= self.sentence.start and lower[index] in {"and", ",", "or"}

    def has_cue_after(self, figure: Figure) -> bool:
        return any(cue.start >= figure.span.end and self.cue_cost(cue, figure) is not None
                   for cue in self.cues)

    def choose_metric(self, figure: Figure) -> tuple[Metric, Optional[Span]]:
        metrics = self.resources.metrics
        best = None
        for cue in self.cues:
            metric = metrics[cue.label_]
            if not self.compatible(metric, figure.quantity):
                continue
            cost = self.cue_cost(cue, figure)
            if cost is not None:
                cost -= min(SPECIFICITY_CAP, SPECIFICITY * (len(cue) - 1))
            if cost is not None and (best is None or cost < best[0]):
                best = (cost, cue)
        if best is None:
            fallback = metrics.get(self.paragraph_metric or "")
            if fallback and self.compatible(fallback, figure.quantity) and fallback.id != "other":
                return fallback, None
            default = self.lexicon.unit_default_metrics.get(figure.quantity.unit, "other")
            return metrics[default], None
        cue = self.compound(self.elliptical(best[1], figure), figure)
        return metrics[cue.label_], cue

    def compound(self, cue: Span, figure: Figure) -> Span:
        """A one-word head names less than its modifier: "training revenues" and "sales of
        parts and service" are the modifier's metric when its units fit the figure."""
        if len(cue) != 1:
            return cue
        for other in self.cues:
            adjacent = other.end == cue.start or (
                other.start == cue.end + 1 and self.words.lower[cue.end] == "of")
            if adjacent and other is not cue and self.compatible(
                    self.resources.metrics[other.label_], figure.quantity):
                return other
        return cue

    def elliptical(self, cue: Span, figure: Figure) -> Span:
        """A bare "loss" after "gross loss" earlier in the sentence means that gross loss."""
        if len(cue) != 1:
            return cue
        for earlier in self.cues:
            if (earlier.end <= cue.start and len(earlier) > 1 and earlier[-1].lower_ == cue[0].lower_
                    and self.compatible(self.resources.metrics[earlier.label_], figure.quantity)):
                return earlier
        return cue

    # ---- kind and qualifier ---------------------------------------------------------------
    def text_before(self, figure: Figure, reach: int) -> str:
        start = max(self.sentence.start, figure.span.start - reach)
        words = []
        for index in self.words.between(start, figure.span.start):
            word = self.words.lower[index]
            if word in {",", ";"} or index in self.figure_start_set:
                words = []
                continue
            words.append(word)
        return " ".join(words)

    def text_after(self, figure: Figure, reach: int) -> str:
        words = []
        for index in self.words.between(figure.span.end, min(self.sentence.end, figure.span.end + reach)):
            word = self.words.lower[index]
            if word in {",", ";"}:
                break
            words.append(word)
        return " ".join(words)

    def qualifier(self, figure: Figure) -> Optional[Qualifier]:
        inside = " ".join(self.text[figure.start:figure.end].lower().split())
        before = self.text_before(figure, 3)
        found = self.phrases.qualifiers.first(before, inside)
        return found[1] if found else None

    def without_qualifier(self, text: str) -> str:
        found = self.phrases.qualifiers.first(text)
        if found is None:
            return text
        return "" if found[0] == text else text[: -len(found[0]) - 1]

    def kind(self, figure: Figure, metric: Metric) -> Kind:
        unit = figure.quantity.unit
        if unit == Unit.POINTS:
            return Kind.MARGIN_CHANGE
        before = self.without_qualifier(self.text_before(figure, CHANGE_REACH))
        if unit == Unit.PERCENT and Unit.PERCENT in metric.units and not self.change_word_before(before):
            return Kind.AMOUNT
        if unit == Unit.RATIO:
            return Kind.RATIO
        after = self.text_after(figure, 3)
        if unit == Unit.PERCENT and self.phrases.ratio_after.opens(after):
            return Kind.RATIO
        if before.endswith(self.lexicon.amount_before):
            return Kind.AMOUNT
        changed = self.change_word_before(before) or self.phrases.change_after.opens(after)
        if changed:
            return Kind.PCT_CHANGE if unit == Unit.PERCENT else Kind.CHANGE
        if unit == Unit.PERCENT and Unit.PERCENT not in metric.units:
            return Kind.PCT_CHANGE
        return Kind.AMOUNT

    def change_word_before(self, before: str) -> bool:
        return self.phrases.change_before.search(" ".join(before.split())) is not None

    # ---- periods ----------------------------------------------------------------------------
    def find_mentions(self, period_mentions: list) -> list[Mention]:
        """The sentence's period phrases, resolved, with how each is used."""
        found = []
        first = self.sentence.start_char
        for mention in period_mentions:
            resolved = periods_mod.resolve_periods(mention, self.context.periods)
            if not resolved:
                continue
            base_only = mention.text.lower().strip() in self.lexicon.base_only_periods
            base = base_only or self.after_comparison(self.text[first:mention.start])
            found.append(Mention(mention.start, mention.end, mention.ref.value, tuple(resolved),
                                 base, base_only))
        return found

    def after_comparison(self, prefix: str) -> bool:
        prefix = without_trailing_preposition(" ".join(prefix.lower().split()))
        return self.phrases.comparison_end.ends(prefix)

    def comparison_between(self, left: int, right: int) -> bool:
        words = " " + " ".join(self.text[left:right].lower().split()) + " "
        return any(marker in words for marker in self.phrases.comparisons_inside)

    def clause_break_between(self, left: int, right: int) -> bool:
        words = set(re.findall(r"[a-z]+|[,;]", self.text[left:right].lower()))
        return bool(words & CLAUSE_BREAKS)

    def mentions_in(self, left: int, right: int) -> list[Mention]:
        return [m for m in self.mentions if left <= m.start and m.end <= right]

    def default_periods(self, metric: Metric) -> tuple[Period, ...]:
        paragraph_date = self.dates.of(self.paragraph)
        if paragraph_date is not None:
            return (paragraph_date,)
        if metric.default_period == "release_date" and self.context.release_date:
            return (Period.at(self.context.release_date),)
        current = self.context.periods.current
        return (current,) if current else ()


    def own_periods(self, index: int, kinds: list[Kind], chosen: list) -> tuple[Period, ...]:
        """The period a figure speaks of (see the module docstring for the order of tries)."""
        figure = self.figures[index]
        compares = kinds[index] in COMPARING_KINDS
        next_start = self.figures[index + 1].start if index + 1 < len(self.figures) else self.sentence.end_char
        previous_end = self.figures[index - 1].end if index else self.sentence.start_char
        after = [m for m in self.mentions_in(figure.end, next_start)
                 if not m.base and not self.clause_break_between(figure.end, m.start)]
        if after and not (compares and len(after[0].periods) == 1):
            return self.shifted(after[0])
        before = [m for m in self.mentions_in(previous_end, figure.start) if not m.base_only
                  and (not m.base or not self.clause_break_between(m.end, figure.start))
                  and not self.comparison_between(m.end, figure.start)]
        if before:
            return self.shifted(before[-1])
        if index and not self.comparison_between(previous_end, figure.start) and chosen[index - 1]:
            return chosen[index - 1][:1] if compares else chosen[index - 1]
        if not compares and (index == 0 or self.comparison_between(previous_end, figure.start)):
            later = self.later_mention(index)
            if later:
                return self.shifted(later)
        main = [m for m in self.mentions if not m.base and m.start < figure.start]
        own = self.shifted(main[0]) if main else ()
        if index and not compares and self.compared_against(figure):
            # "rose to $214.9 million from $190.2 million": the figure compared against
            return (self.default_base(own[0] if own else self.context.periods.current),)
        return own

    def later_mention(self, index: int) -> Optional[Mention]:
        """A period named after a list of figures ("108 units, comprised of 48 ... and 60 ...,
        in the second quarter") applies to all of them; a comparison figure ends the list."""
        figure = self.figures[index]
        limit = self.sentence.end_char
        for other in self.figures[index + 1:]:
            if other.quantity.unit in COMPARISON_UNITS:
                limit = other.start
                break
        for mention in self.mentions_in(figure.end, limit):
            if not mention.base and not self.comparison_between(figure.end, mention.start):
                return mention
        return None

    def shifted(self, mention: Mention) -> tuple[Period, ...]:
        """"A year ago, in the second quarter, ..." moves the quarter back a year; "in 2005"
        in a sentence about full years is that (fiscal) year, not its quarter."""
        if mention.ref == periods_mod.RefKind.YEAR_OF_PERIOD.value and self.speaks_of_years():
            calendar = self.context.periods.calendar
            return tuple(calendar.year_span(calendar.fiscal_year_of(period.end))
                         for period in mention.periods)
        year_ago = periods_mod.RefKind.YEAR_AGO.value
        if mention.ref == year_ago or not any(
                m.ref == year_ago and m.start < mention.start and self.same_clause(m.end, mention.start)
                for m in self.mentions):
            return mention.periods
        return tuple(periods_mod.year_ago(period) for period in mention.periods)

    def same_clause(self, left: int, right: int) -> bool:
        return not self.figure_between_chars(left, right) and not self.comparison_between(left, right)

    def speaks_of_years(self) -> bool:
        """The sentence's own period (its first other phrase) is a whole year."""
        year_of_period = periods_mod.RefKind.YEAR_OF_PERIOD.value
        for mention in self.mentions:
            if mention.ref != year_of_period:
                return mention.periods[0].days > YEAR_DAYS
        return False

    def base_period(self, figure: Figure, periods: tuple[Period, ...]) -> Optional[Period]:
        period = periods[0] if periods else None
        if len(periods) > 1:
            return periods[1]
        after = [m for m in self.mentions if m.start >= figure.end and
                 (m.base or not self.figure_between_chars(figure.end, m.start)
                  or self.comparison_between(figure.end, m.start))]
        before = [m for m in self.mentions if m.end <= figure.start and m.base]
        for mention in after + before[::-1]:
            for candidate in self.shifted(mention):
                if candidate != period:
                    return candidate
        return self.default_base(period)

    def compared_against(self, figure: Figure) -> bool:
        """The figure right after "from", "compared with", "versus" (a qualifier between)."""
        return self.after_comparison(self.without_qualifier(self.text_before(figure, 4)))

    def default_base(self, period: Optional[Period]) -> Optional[Period]:
        """What a comparison with no period phrase compares against: the prior quarter where
        the sentence says so ("sequentially"), else the same period a year earlier."""
        if period is None:
            return None
        if "sequential" in self.lower or "prior quarter" in self.lower:
            return periods_mod.prior_quarter(period, self.context.periods)
        return periods_mod.year_ago(period)

    def figure_between_chars(self, left: int, right: int) -> bool:
        return any(left <= figure.start < right for figure in self.figures)

    def respectively(self) -> Optional[list[tuple[Period, ...]]]:
        if not any(word in self.lower for word in self.lexicon.respectively):
            return None
        last = self.figures[-1].end
        after = self.mentions_in(last, self.sentence.end_char)
        spans = [period for mention in after for period in mention.periods]
        if len(spans) != len(self.figures):
            return None
        return [(period,) for period in spans]

    # ---- assembling -------------------------------------------------------------------------
    def claims(self) -> list[Claim]:
        metrics = [self.choose_metric(figure) for figure in self.figures]
        kinds = [self.kind(figure, metric) for figure, (metric, _) in zip(self.figures, metrics)]
        distributed = self.respectively()
        chosen: list = []
        for index in range(len(self.figures)):
            chosen.append(distributed[index] if distributed else self.own_periods(index, kinds, chosen))
        out = []
        for index, figure in enumerate(self.figures):
            out.extend(self.claims_for(figure, metrics[index], kinds[index], chosen[index]))
        return out

    def claims_for(self, figure: Figure, chosen_metric: tuple[Metric, Optional[Span]], kind: Kind,
                   periods: tuple[Period, ...]) -> list[Claim]:
        metric, cue = chosen_metric
        unit = figure.quantity.unit
        if unit == Unit.USD and metric.units == (Unit.USD_PER_SHARE,):
            unit = Unit.USD_PER_SHARE
        if not periods:
            periods = self.default_periods(metric)
        if kind in COMPARING_KINDS:
            base = fit_period(self.base_period(figure, periods), metric)
            periods = periods[:1]
        else:
            base = None
        label = self.text[cue.start_char:cue.end_char] if cue is not None else self.label_after(figure)
        if self.forecast(figure) and metric.id != "guidance":
            metric, label = self.resources.metrics["guidance"], f"{metric.id}: {label}"
        start, end = self.context.view.original(figure.start, figure.end)
        return [Claim(
            doc=self.context.doc, start=start, end=end, text=self.context.text[start:end],
            sentence=self.sentence_text.strip(), metric=metric.id, label=label, kind=kind,
            value=figure.quantity.value, value_high=figure.quantity.value_high, unit=unit,
            qualifier=self.qualifier(figure),
            period=fit_period(period, metric), base_period=base, segment=self.segment(figure),
            speaker=speaker_at(self.context.quotes, start), rule=figure.rule,
            precision=figure.quantity.precision,
        ) for period in periods or (None,)]

    def segment(self, figure: Figure) -> Optional[str]:
        """"the Domestic segment ... reported operating income of $42 million": the segment
        named before the figure in its sentence (capitalised words before a segment noun)."""
        before = self.text[self.sentence.start_char:figure.start]
        found = self.lexicon.segment_pattern.findall(before)
        names = [" ".join(word for word in name.split() if word not in SEGMENT_STOP_WORDS)
                 for name in found]
        names = [name for name in names if name]
        return names[-1] if names else None

    def forecast(self, figure: Figure) -> bool:
        """A figure after "expects", "outlook" ... in its sentence is a forecast (guidance)."""
        return self.first_forecast_cue < figure.span.start

    @cached_property
    def first_forecast_cue(self) -> int:
        """The sentence's first forecast word (its end if none): found once, not per figure."""
        cues, lower = self.lexicon.forecast_cues, self.words.lower
        found = (index for index in range(self.sentence.start, self.sentence.end) if lower[index] in cues)
        return next(found, self.sentence.end)

    def label_after(self, figure: Figure) -> str:
        words = [self.words.text[index] for index in
                 self.words.between(figure.span.end, min(len(self.words.text), figure.span.end + 6))]
        kept = []
        for word in words:
            if not word.isalpha() or (kept and word.lower() in {"and", "or", "which", "that"}):
                break
            kept.append(word)
        return " ".join(kept) or figure.span.text


def without_trailing_preposition(prefix: str) -> str:
    """A single-spaced text without a closing " the", then a closing preposition ("compared
    with last year's results in the" -> "... results"); string tests, not a regex anchored at
    the end, which tries every offset of the text."""
    if prefix.endswith(" the"):
        prefix = prefix[:-len(" the")]
    for preposition in TRAILING_PREPOSITIONS:
        if prefix.endswith(preposition):
            return prefix[:-len(preposition)]
    return prefix


def fit_period(period: Optional[Period], metric: Metric) -> Optional[Period]:
    """A level takes the end of a span; a flow given a date takes the quarter ending then."""
    if period is None:
        return None
    if metric.is_instant and not period.is_instant:
        return Period.at(period.end) if period.end else None
    if not metric.is_instant and period.is_instant and metric.default_period == "current":
        return Period.months_ending(period.instant, 3)
    return period
