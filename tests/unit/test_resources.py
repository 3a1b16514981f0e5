"""The one loader of patterns/: strict validation, and every pattern id proven by its example."""
import json
import shutil

import pytest

from extractor.resources import PatternError, load_resources, patterns_dir


@pytest.fixture()
def patterns_copy(tmp_path):
    target = tmp_path / "patterns"
    shutil.copytree(patterns_dir(), target)
    return target


def rewrite_jsonl(path, change):
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    rows = change(rows)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def test_the_packaged_patterns_load():
    resources = load_resources()
    assert "revenue" in resources.metrics and "other" in resources.metrics
    assert resources.figure_patterns and resources.period_rules


def test_an_unknown_key_in_a_metric_is_an_error(patterns_copy):
    rewrite_jsonl(patterns_copy / "metrics.jsonl",
                  lambda rows: [dict(rows[0], colour="red")] + rows[1:])
    with pytest.raises(PatternError, match="unknown keys"):
        load_resources(patterns_copy)


def test_a_duplicate_metric_id_is_an_error(patterns_copy):
    rewrite_jsonl(patterns_copy / "metrics.jsonl", lambda rows: rows + [rows[0]])
    with pytest.raises(PatternError, match="duplicate id"):
        load_resources(patterns_copy)


def test_a_duplicate_figure_rule_id_is_an_error(patterns_copy):
    rewrite_jsonl(patterns_copy / "figures.jsonl", lambda rows: rows + [rows[0]])
    with pytest.raises(PatternError, match="duplicate id"):
        load_resources(patterns_copy)


def test_a_dangling_metric_id_is_an_error(patterns_copy):
    lexicon = json.loads((patterns_copy / "lexicon.json").read_text())
    lexicon["unit_default_metrics"]["USD/share"] = "no_such_metric"
    (patterns_copy / "lexicon.json").write_text(json.dumps(lexicon))
    with pytest.raises(PatternError, match="no_such_metric"):
        load_resources(patterns_copy)


def test_an_unknown_unit_is_an_error(patterns_copy):
    rewrite_jsonl(patterns_copy / "metrics.jsonl",
                  lambda rows: [dict(rows[0], units=["furlongs"])] + rows[1:])
    with pytest.raises(PatternError, match="furlongs"):
        load_resources(patterns_copy)


def test_a_period_rule_whose_example_does_not_match_is_an_error(patterns_copy):
    rewrite_jsonl(patterns_copy / "periods.jsonl",
                  lambda rows: [dict(rows[0], example="nothing like it")] + rows[1:])
    with pytest.raises(PatternError):
        load_resources(patterns_copy)


def test_adding_a_metric_is_a_data_edit(patterns_copy):
    """A new metric with its cue works without touching code."""
    import extractor
    new = {"id": "subscribers", "label": "Subscribers", "cues": ["subscribers"], "table_lines": [],
           "sign": 1, "period": "instant", "units": ["units"],
           "example": "The service reached 12,000 subscribers."}
    rewrite_jsonl(patterns_copy / "metrics.jsonl", lambda rows: rows[:-1] + [new] + rows[-1:])
    nlp = extractor.load(patterns_copy)
    claims = nlp(new["example"])._.claims
    assert [(claim.metric, int(claim.value)) for claim in claims] == [("subscribers", 12000)]
