"""The spaCy pipeline: factories usable with nlp.add_pipe, sentence splitting, every rule's example."""
import pytest
import spacy

import extractor
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
