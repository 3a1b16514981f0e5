"""windowed_span_ruler: spaCy's SpanRuler with its token matcher run only where a match can lie.

The matcher tests every token against every pattern, in Python for set and regex tests. Each
pattern has a token test that every match passes (a number, "half", "debt") and a bounded
length, so matches can only lie in windows around the tokens that pass: the matcher runs there,
with only the patterns whose every such test some token of the window passes.

The spans are the ones the plain span ruler finds: tested against it in tests/unit/test_nlp.py.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import SpanRuler
from spacy.pipeline.span_ruler import DEFAULT_SPANS_KEY
from spacy.strings import StringStore
from spacy.tokens import Doc, Span


FLAG_TESTS = {"LIKE_NUM", "IS_CURRENCY", "IS_DIGIT"}
VALUE_TESTS = {"ORTH": "ORTH", "TEXT": "ORTH", "LOWER": "LOWER", "SHAPE": "SHAPE"}
QUANTIFIERS = {"?": (0, 1), "!": (0, 1), "*": (0, None), "+": (1, None)}


@dataclass(frozen=True)
class Anchor:
    """A token test every match of a pattern passes, and how many tokens the match can reach
    before and after the token that passes it."""

    attr: str
    values: Optional[frozenset]  # string ids; None: a flag that must be true
    before: int
    after: int

    @property
    def test(self) -> tuple:
        return self.attr, self.values


def repeats(op: Optional[str]) -> tuple[int, Optional[int]]:
    """How many tokens a pattern token with this "OP" matches: (least, most or None)."""
    if op is None:
        return 1, 1
    if op in QUANTIFIERS:
        return QUANTIFIERS[op]
    least, comma, most = op.strip("{}").partition(",")
    if not comma:
        return int(least), int(least)
    return int(least or 0), int(most) if most else None


def reach(counts: Sequence[tuple[int, Optional[int]]]) -> Optional[int]:
    most = [high for _, high in counts]
    return None if None in most else sum(most)


def token_test(attr: str, value, strings: StringStore) -> Optional[tuple]:
    """(attribute, string ids or None) for a test read from doc.to_array, else None."""
    if attr in FLAG_TESTS and value is True:
        return attr, None
    if attr not in VALUE_TESTS:
        return None
    words = [value] if isinstance(value, str) else value["IN"] if (
        isinstance(value, dict) and list(value) == ["IN"]) else None
    if not words or not all(isinstance(word, str) for word in words):
        return None
    return VALUE_TESTS[attr], frozenset(strings.add(word) for word in words)


def pattern_anchors(pattern: list, strings: StringStore) -> list[Anchor]:
    """Every token test of a pattern usable as its anchor: on a token that must occur exactly
    once, with a bounded number of tokens on either side."""
    specs = [{key.upper(): value for key, value in token.items()} for token in pattern]
    counts = [repeats(spec.get("OP")) for spec in specs]
    anchors = []
    for index, spec in enumerate(specs):
        before, after = reach(counts[:index]), reach(counts[index + 1:])
        if counts[index] != (1, 1) or before is None or after is None:
            continue
        tests = (token_test(attr, value, strings) for attr, value in spec.items())
        anchors.extend(Anchor(*test, before, after) for test in tests if test)
    return anchors


@dataclass(frozen=True)
class Window:
    """Tokens `start:end` of a doc, and which token patterns can match inside them."""

    start: int
    end: int
    patterns: tuple[bool, ...]  # one flag per token pattern, in the plan's order


@dataclass(frozen=True)
class Options:
    """Every pattern's anchors side by side (a pattern's run together), for numpy."""

    pattern: numpy.ndarray
    test: numpy.ndarray  # the anchor's test, as its row in AnchorPlan.passed
    before: numpy.ndarray
    after: numpy.ndarray
    firsts: numpy.ndarray  # where each pattern's run begins

    @classmethod
    def of(cls, anchors: tuple[tuple[Anchor, ...], ...], tests: dict) -> "Options":
        rows = [(pattern, tests[anchor.test], anchor.before, anchor.after)
                for pattern, options in enumerate(anchors) for anchor in options]
        pattern, test, before, after = (numpy.array(column) for column in zip(*rows))
        firsts = numpy.cumsum([0] + [len(options) for options in anchors[:-1]])
        return cls(pattern, test, before, after, firsts)

    def rarest(self, counts: numpy.ndarray) -> numpy.ndarray:
        """Per pattern, the anchor with the fewest tokens times the width of its windows
        (the first such anchor on a tie)."""
        cost = counts[self.test] * (self.before + self.after + 1)
        return numpy.lexsort((cost, self.pattern))[self.firsts]


@dataclass(frozen=True)
class AnchorPlan:
    """The anchors of each token pattern; which one places the windows is chosen per doc (the
    rarest). Token tests are read with numpy, not token by token."""

    tests: dict  # (attribute, string ids or None) -> its row in `passed`
    options: Options
    lookups: tuple[tuple[str, numpy.ndarray, numpy.ndarray], ...]  # attribute, sorted values, test x value
    required: numpy.ndarray  # test x pattern: every match of the pattern holds a token passing the test

    @classmethod
    def of(cls, patterns: list, strings: StringStore) -> Optional["AnchorPlan"]:
        """None when there is no pattern or one has no anchor (it can match anywhere)."""
        anchors = tuple(tuple(pattern_anchors(pattern, strings)) for pattern in patterns)
        if not anchors or not all(anchors):
            return None
        tests = {test: row for row, test in enumerate(sorted(
            {anchor.test for options in anchors for anchor in options}, key=repr))}
        options = Options.of(anchors, tests)
        required = numpy.zeros((len(tests), len(anchors)), dtype=bool)
        required[options.test, options.pattern] = True
        return cls(tests, options, attribute_lookups(tests), required)

    def passed(self, doc: Doc) -> tuple[numpy.ndarray, numpy.ndarray]:
        """Every test a token passes, as (tests, tokens): the test and the token of each pass."""
        columns = doc.to_array([attr for attr, _, _ in self.lookups]).reshape(len(doc), len(self.lookups))
        tests, tokens = [], []
        for column, (_, values, table) in zip(columns.T, self.lookups):
            slots = numpy.minimum(numpy.searchsorted(values, column), len(values) - 1)
            hits = numpy.flatnonzero(values[slots] == column)
            test, hit = table[:, slots[hits]].nonzero()
            tests.append(test)
            tokens.append(hits[hit])
        return numpy.concatenate(tests), numpy.concatenate(tokens)

    def windows(self, doc: Doc) -> list[Window]:
        """Disjoint token windows that hold every match (around each pattern's rarest anchor),
        each with the patterns whose every anchor test some token of the window passes."""
        tests, tokens = self.passed(doc)
        chosen = self.options.rarest(numpy.bincount(tests, minlength=len(self.tests)))
        before = numpy.full(len(self.tests), -1)
        after = numpy.full(len(self.tests), -1)
        numpy.maximum.at(before, self.options.test[chosen], self.options.before[chosen])
        numpy.maximum.at(after, self.options.test[chosen], self.options.after[chosen])
        anchoring = before[tests] >= 0  # the passes of a test that windows are placed around
        if not anchoring.any():
            return []
        token, test = tokens[anchoring], tests[anchoring]
        starts, ends = merged(numpy.maximum(token - before[test], 0),
                              numpy.minimum(token + after[test] + 1, len(doc)))
        possible = self.possible(starts, ends, tests, tokens)
        return [Window(start, end, tuple(patterns)) for start, end, patterns
                in zip(starts.tolist(), ends.tolist(), possible.tolist()) if True in patterns]

    def possible(self, starts: numpy.ndarray, ends: numpy.ndarray, tests: numpy.ndarray,
                 tokens: numpy.ndarray) -> numpy.ndarray:
        """(window, pattern): whether each of the pattern's anchor tests is passed by some token
        of the window (`tests`, `tokens`: every test passed, by which token)."""
        window = numpy.searchsorted(starts, tokens, side="right") - 1
        inside = (window >= 0) & (tokens < ends[window])
        present = numpy.zeros((len(starts), len(self.tests)), dtype=bool)
        present[window[inside], tests[inside]] = True
        return ~(~present @ self.required)


def attribute_lookups(tests: dict) -> tuple[tuple[str, numpy.ndarray, numpy.ndarray], ...]:
    """Per attribute: the sorted values a test asks for (1 for a flag), and which tests each
    value passes."""
    passes: dict = {}
    for (attr, values), row in tests.items():
        for value in values if values is not None else (1,):
            passes.setdefault(attr, {}).setdefault(value, []).append(row)
    lookups = []
    for attr, by_value in sorted(passes.items()):
        values = sorted(by_value)
        table = numpy.zeros((len(tests), len(values)), dtype=bool)
        for column, value in enumerate(values):
            table[by_value[value], column] = True
        lookups.append((attr, numpy.array(values, dtype="uint64"), table))
    return tuple(lookups)


def merged(starts: numpy.ndarray, ends: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Token ranges merged where they overlap or touch: the disjoint ranges that cover them."""
    order = numpy.argsort(starts, kind="stable")
    starts, reached = starts[order], numpy.maximum.accumulate(ends[order])
    opens = numpy.flatnonzero(numpy.concatenate(([True], starts[1:] > reached[:-1])))
    closes = numpy.concatenate((opens[1:] - 1, [len(starts) - 1]))
    return starts[opens], reached[closes]


class WindowedSpanRuler(SpanRuler):
    """spaCy's span ruler with its token matcher run only on the windows where a match can lie,
    and there with only the patterns that can match in the window (AnchorPlan); the same spans,
    for a fraction of the matcher's per-token, per-pattern cost."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.planned: Optional[list] = None
        self.plan: Optional[AnchorPlan] = None
        self.token_rows: list = []
        self.matchers: dict = {}  # which token patterns -> a matcher of those only

    def anchor_plan(self) -> Optional[AnchorPlan]:
        if self.planned != self.patterns:  # patterns added or removed since
            self.token_rows = [row for row in self.patterns if isinstance(row["pattern"], list)]
            self.plan = AnchorPlan.of([row["pattern"] for row in self.token_rows], self.nlp.vocab.strings)
            self.matchers = {}
            self.planned = list(self.patterns)
        return self.plan

    def matcher_of(self, patterns: tuple[bool, ...]) -> Matcher:
        """A matcher of the flagged token patterns only, keyed as the span ruler keys them."""
        if patterns not in self.matchers:
            matcher = Matcher(self.nlp.vocab, validate=self.validate,
                              fuzzy_compare=self.matcher_fuzzy_compare)
            for row, wanted in zip(self.token_rows, patterns):
                if wanted:
                    matcher.add(repr((row["label"], row.get("id", ""))), [row["pattern"]])
            self.matchers[patterns] = matcher
        return self.matchers[patterns]

    def match(self, doc: Doc):
        plan = self.anchor_plan()
        if plan is None or not len(doc):
            return super().match(doc)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="\\[W036")
            matches = [(key, window.start + start, window.start + end) for window in plan.windows(doc)
                       for key, start, end in self.matcher_of(window.patterns)(doc[window.start:window.end])]
            matches += self.phrase_matcher(doc)
        labels = self._match_label_id_map
        return sorted({Span(doc, start, end, label=labels[key]["label"], span_id=labels[key]["id"])
                       for key, start, end in matches if start != end})


@Language.factory("windowed_span_ruler", assigns=["doc.spans"], default_config={
    "spans_key": DEFAULT_SPANS_KEY, "spans_filter": None, "phrase_matcher_attr": None, "overwrite": True})
def make_windowed_span_ruler(nlp: Language, name: str, spans_key: str, spans_filter,
                             phrase_matcher_attr: Optional[str], overwrite: bool) -> WindowedSpanRuler:
    return WindowedSpanRuler(nlp, name, spans_key=spans_key, spans_filter=spans_filter,
                             phrase_matcher_attr=phrase_matcher_attr, overwrite=overwrite)
