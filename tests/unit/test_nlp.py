"""The spaCy pipeline: factories usable with nlp.add_pipe, sentence splitting, every rule's example."""
import pytest
import spacy

import extractor
import numpy

from extractor.windowed_ruler import AnchorPlan, merged, pattern_anchors, repeats
from extractor.resources import load_resources

RESOURCES = load_resources()


@pytest.fixture(scope="module")
def nlp():
    return extractor.load()


def test_components_are_registered_spacy_factories():
    nlp = spacy.blank("en")
    nlp.add_pipe("release_sentencizer")
    nlp.add_pipe("metric_cues")
    doc = nlp("Revenue for the quarter was $4.1 million. Gross loss was $2.6 million.")
    assert [sent.text for sent in doc.sents] == ["Revenue for the quarter was $4.1 million.",
                                                 "Gross loss was $2.6 million."]
    assert [(span.text, span.label_) for span in doc.spans["metric_cues"]] == [
        ("Revenue", "revenue"), ("Gross loss", "gross_loss")]


@pytest.mark.parametrize("text, count", [
    ("CHATSWORTH, Calif.--(BUSINESS WIRE)--Nov. 4, 2004--Capstone Turbine Corporation reported "
     "results. Sales were $3.9 million.", 2),
    ("The loss was ($0.12) per share, or $.16 on a diluted basis. It fell.", 2),
    ("The call is at 2:00 p.m. Pacific Time on Thursday. Access is free.", 2),
    ("Acme Inc. said sales rose. Mr. Smith agreed.", 2),
    ("Revenue for the quarter\nwas $4.1 million as compared with $7.4\nmillion a year ago.", 1),
])
def test_sentences_survive_abbreviations_and_wrapped_lines(nlp, text, count):
    assert len(list(nlp(text).sents)) == count


@pytest.mark.parametrize("rule", RESOURCES.figure_patterns, ids=lambda rule: rule["id"])
def test_every_figure_rule_fires_on_its_example(nlp, rule):
    claims = nlp(rule["example"])._.claims
    assert rule["id"] in [claim.rule for claim in claims], [(c.rule, c.text) for c in claims]


@pytest.mark.parametrize("metric", list(RESOURCES.metrics.values()), ids=lambda metric: metric.id)
def test_every_metric_is_found_in_its_example(nlp, metric):
    claims = nlp(metric.example)._.claims
    assert metric.id in [claim.metric for claim in claims], [(c.metric, c.text) for c in claims]


@pytest.mark.parametrize("op, counts", [
    (None, (1, 1)), ("?", (0, 1)), ("!", (0, 1)), ("*", (0, None)), ("+", (1, None)),
    ("{3}", (3, 3)), ("{0,4}", (0, 4)), ("{2,}", (2, None)), ("{,2}", (0, 2)),
])
def test_repeats_reads_every_spacy_quantifier(op, counts):
    assert repeats(op) == counts


def test_pattern_anchors_are_required_tokens_with_bounded_reach():
    strings = spacy.blank("en").vocab.strings
    pattern = [{"ORTH": "(", "OP": "?"}, {"IS_CURRENCY": True}, {"LIKE_NUM": True},
               {"LOWER": {"IN": ["million", "billion"]}, "OP": "?"}, {"IS_ALPHA": True, "OP": "*"}]
    assert pattern_anchors(pattern, strings) == []  # "*" reaches without bound
    anchors = pattern_anchors(pattern[:4], strings)
    assert [(a.attr, a.values, a.before, a.after) for a in anchors] == [
        ("IS_CURRENCY", None, 1, 2), ("LIKE_NUM", None, 2, 1)]
    [anchor] = pattern_anchors([{"lower": "no"}, {"TEXT": {"REGEX": "^d"}}], strings)
    assert (anchor.attr, anchor.values, anchor.after) == ("LOWER", frozenset({strings["no"]}), 1)


def test_merged_joins_token_ranges_that_overlap_or_touch():
    starts, ends = merged(numpy.array([9, 0, 3, 20, 12]), numpy.array([12, 2, 5, 22, 14]))
    assert (starts.tolist(), ends.tolist()) == ([0, 3, 9, 20], [2, 5, 14, 22])


def test_each_window_runs_only_the_patterns_whose_anchors_it_holds():
    nlp = spacy.blank("en")
    money = [{"IS_CURRENCY": True}, {"LIKE_NUM": True}]
    half = [{"LOWER": "half"}, {"LOWER": {"IN": ["the", "of"]}}]
    plan = AnchorPlan.of([money, half], nlp.vocab.strings)
    doc = nlp.make_doc("Sales were $5 , 6 and 7 , over half of it , and $ items .")
    # "$" is rarer than a number: the money windows lie around each "$"; the last one holds
    # no number, so no pattern can match there and it goes
    assert [(window.start, window.end, window.patterns) for window in plan.windows(doc)] == [
        (2, 4, (True, False)), (10, 12, (False, True))]


def windowed_and_plain(patterns):
    rulers = []
    for factory in ("windowed_span_ruler", "span_ruler"):
        nlp = spacy.blank("en")
        nlp.add_pipe(factory, config={"spans_key": "found", "phrase_matcher_attr": "LOWER"})
        nlp.get_pipe(factory).add_patterns(patterns)
        rulers.append(nlp)
    return rulers


def spans_found(nlp, text):
    doc = nlp(text)
    return [(span.start, span.end, span.label_, span.id_) for span in doc.spans["found"]]


def test_the_windowed_ruler_finds_what_the_span_ruler_finds():
    patterns = [{key: row[key] for key in ("id", "label", "pattern")} for row in RESOURCES.figure_patterns]
    patterns.append({"label": "PHRASE", "pattern": "net sales"})
    text = " ".join(row["example"] for row in RESOURCES.figure_patterns) + \
        " Net sales were $4.1 million ( $3.9 million) and ($0.12) per share at 60 systems. $5"
    windowed, plain = windowed_and_plain(patterns)
    assert windowed.get_pipe("windowed_span_ruler").anchor_plan() is not None
    assert spans_found(windowed, text) == spans_found(plain, text)
    assert len(spans_found(plain, text)) > len(RESOURCES.figure_patterns)


def test_a_pattern_without_anchor_sends_the_ruler_over_the_whole_doc():
    windowed, plain = windowed_and_plain([{"label": "WORDS", "pattern": [{"IS_ALPHA": True, "OP": "+"}]},
                                          {"label": "CASH", "pattern": [{"LIKE_NUM": True}]}])
    assert windowed.get_pipe("windowed_span_ruler").anchor_plan() is None
    text = "Cash was 4 and 5 ."
    assert spans_found(windowed, text) == spans_found(plain, text) != []
