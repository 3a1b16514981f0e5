"""The spaCy pipeline: a blank English pipeline plus our own components, nothing downloaded.

    release_sentencizer  sentence starts that survive "Nov.", "Calif.", "$0.11", "p.m." and the
                         wrapped, indented paragraphs of EDGAR text
    figure_ruler         spaCy's span ruler over patterns/figures.jsonl -> doc.spans["figures"]
    metric_cues          phrase matcher over the metric vocabulary -> doc.spans["metric_cues"]
    claim_builder        figures + cues + periods + quotes -> doc._.claims

Every component is registered with @Language.factory, so `nlp.add_pipe("metric_cues")` works for
spaCy users; `patterns_dir` selects another rule folder.
"""
from __future__ import annotations

import re
from typing import Optional

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from .resources import Resources, load_resources

FIGURES = "figures"
CUES = "metric_cues"
SENTENCE_END = {".", "!", "?"}
CLOSERS = {'"', "\u201d", "'", ")", "\u2019"}
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n|\n[ \t]{2,}")

if not Doc.has_extension("claims"):
    Doc.set_extension("claims", default=None)
if not Doc.has_extension("release_context"):
    Doc.set_extension("release_context", default=None)


def resources_for(patterns_dir: str) -> Resources:
    return load_resources(patterns_dir or None)


def previous_word(doc: Doc, index: int) -> Optional[int]:
    index -= 1
    while index >= 0 and doc[index].is_space:
        index -= 1
    return index if index >= 0 else None


def ends_sentence(doc: Doc, index: int) -> bool:
    """True when the word before token `index` closes a sentence ("end." or 'end."')."""
    prev = previous_word(doc, index)
    while prev is not None and doc[prev].text in CLOSERS:
        before = previous_word(doc, prev)
        if before is None or doc[before].text not in SENTENCE_END | CLOSERS:
            return False
        prev = before
    return prev is not None and doc[prev].text in SENTENCE_END


def opens_sentence(token) -> bool:
    first = token.text[:1]
    return first.isupper() or first in {'"', "\u201c", "(", "-"}


class ReleaseSentencizer:
    """Sentence boundaries for wrapped press-release prose."""

    def __call__(self, doc: Doc) -> Doc:
        for index, token in enumerate(doc):
            if index == 0:
                token.is_sent_start = True
                continue
            if token.is_space:
                token.is_sent_start = False
                continue
            space = doc[index - 1]
            paragraph = space.is_space and bool(PARAGRAPH_BREAK.search(space.text))
            token.is_sent_start = paragraph or (ends_sentence(doc, index) and opens_sentence(token))
        return doc


@Language.factory("release_sentencizer")
def make_release_sentencizer(nlp: Language, name: str) -> ReleaseSentencizer:
    return ReleaseSentencizer()


class MetricCues:
    """Marks every phrase of the metric vocabulary; the longest match wins where they overlap."""

    def __init__(self, nlp: Language, resources: Resources):
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for metric in resources.metrics.values():
            if metric.cues:
                self.matcher.add(metric.id, [nlp.make_doc(cue) for cue in metric.cues])

    def __call__(self, doc: Doc) -> Doc:
        spans = [Span(doc, start, end, label=match_id) for match_id, start, end in self.matcher(doc)]
        doc.spans[CUES] = spacy.util.filter_spans(spans)
        return doc


@Language.factory("metric_cues", default_config={"patterns_dir": ""})
def make_metric_cues(nlp: Language, name: str, patterns_dir: str) -> MetricCues:
    return MetricCues(nlp, resources_for(patterns_dir))


@Language.factory("claim_builder", default_config={"patterns_dir": ""})
def make_claim_builder(nlp: Language, name: str, patterns_dir: str):
    from .claims import ClaimBuilder
    return ClaimBuilder(resources_for(patterns_dir))


def add_figure_ruler(nlp: Language, resources: Resources) -> None:
    ruler = nlp.add_pipe("span_ruler", name="figure_ruler", config={
        "spans_key": FIGURES, "phrase_matcher_attr": "LOWER",
        "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"},
    })
    ruler.add_patterns([{key: row[key] for key in ("id", "label", "pattern")}
                        for row in resources.figure_patterns])


def build_nlp(resources: Resources) -> Language:
    """The whole pipeline over one validated Resources object."""
    nlp = spacy.blank("en")
    nlp.add_pipe("release_sentencizer")
    add_figure_ruler(nlp, resources)
    directory = str(resources.directory)
    nlp.add_pipe("metric_cues", config={"patterns_dir": directory})
    nlp.add_pipe("claim_builder", config={"patterns_dir": directory})
    return nlp
