"""The spaCy pipeline: a blank English pipeline plus our own components, nothing downloaded.

    release_sentencizer  sentence starts that survive "Nov.", "Calif.", "$0.11", "p.m." and the
                         wrapped, indented paragraphs of EDGAR text
    figure_ruler         spaCy's span ruler over patterns/figures.jsonl -> doc.spans["figures"],
                         its matcher run only on the token windows where a match can lie
    metric_cues          phrase matcher over the metric vocabulary -> doc.spans["metric_cues"]
    claim_builder        figures + cues + periods + quotes -> doc._.claims

Every component is registered with @Language.factory, so `nlp.add_pipe("metric_cues")` works for
spaCy users; `patterns_dir` selects another rule folder.
"""
from __future__ import annotations

import bisect
import re

import numpy
import spacy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from . import windowed_ruler  # noqa: F401  (registers the windowed_span_ruler factory)
from .resources import Resources, load_resources

FIGURES = "figures"
CUES = "metric_cues"
SENTENCE_END = {".", "!", "?"}

if not Doc.has_extension("claims"):
    Doc.set_extension("claims", default=None)
if not Doc.has_extension("release_context"):
    Doc.set_extension("release_context", default=None)


def resources_for(patterns_dir: str) -> Resources:
    return load_resources(patterns_dir or None)


def doc_text(doc: Doc) -> str:
    """The text the doc was made from: the release context holds it, and spaCy's Doc.text
    rebuilds it token by token on every call."""
    context = doc._.release_context
    return doc.text if context is None else context.view.text


BOUNDARY = re.compile(r"[.!?][\"\u201d'\)\u2019]*(?P<gap>\s+)(?=[A-Z\"\u201c(\-])|\n[ \t]*\n\s*|\n[ \t]{2,}")


class ReleaseSentencizer:
    """Sentence boundaries for wrapped press-release prose.

    A sentence ends at ".", "!" or "?" (and any closing quotes) before a capital or an opening
    quote, unless the tokenizer kept the period inside a word ("Calif.", "Inc.", "p.m."); a
    blank line or an indented line starts a new paragraph. Found on the text with one regex
    and written in one array, because a per-token Python loop costs more than tokenizing."""

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        starts = doc.to_array([IDX])
        flags = numpy.full(len(doc), -1, dtype="int64")
        flags[0] = 1
        for match in BOUNDARY.finditer(doc_text(doc)):
            if match.group("gap") is not None and not self.period_stands_alone(doc, starts, match.start()):
                continue
            token = bisect.bisect_left(starts, match.end())
            if token < len(doc):
                flags[token] = 1
        doc.from_array([SENT_START], flags.astype("uint64").reshape(-1, 1))
        return doc

    @staticmethod
    def period_stands_alone(doc: Doc, starts, offset: int) -> bool:
        token = bisect.bisect_right(starts, offset) - 1
        return doc[token].text in SENTENCE_END


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
        kept = {(span.start, span.end) for span in spacy.util.filter_spans(spans)}
        # a phrase two metrics share ("gross margin": an amount or a percentage) stays twice;
        # the claim builder picks the one whose units fit the figure
        doc.spans[CUES] = sorted(span for span in spans if (span.start, span.end) in kept)
        return doc


@Language.factory("metric_cues", default_config={"patterns_dir": ""})
def make_metric_cues(nlp: Language, name: str, patterns_dir: str) -> MetricCues:
    return MetricCues(nlp, resources_for(patterns_dir))


@Language.factory("claim_builder", default_config={"patterns_dir": ""})
def make_claim_builder(nlp: Language, name: str, patterns_dir: str):
    from .claims import ClaimBuilder
    return ClaimBuilder(resources_for(patterns_dir))


def add_figure_ruler(nlp: Language, resources: Resources) -> None:
    ruler = nlp.add_pipe("windowed_span_ruler", name="figure_ruler", config={
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
