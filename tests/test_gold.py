"""The corpus run scored against the gold annotations (issues 3 and 4 acceptance figures)."""
import pytest

from conftest import score


@pytest.fixture(scope="module")
def figures(corpus_records, tmp_path_factory):
    return score(corpus_records, tmp_path_factory.mktemp("gold"))


@pytest.mark.parametrize("key, floor", [
    ("detect_precision", 0.95), ("detect_recall", 0.95),
    ("metric", 0.95), ("value", 0.98), ("period", 0.95), ("speaker", 0.98),
])
def test_claim_extraction_meets_the_issue_3_floor(figures, key, floor):
    assert figures[key] >= floor, figures


@pytest.mark.parametrize("key, floor", [("status", 0.95), ("table_value", 0.95), ("strict_f1", 0.90)])
def test_reconciliation_meets_the_issue_4_floor(figures, key, floor):
    assert figures[key] >= floor, figures


def test_no_gold_match_is_reported_mismatch(corpus_records):
    import json
    from conftest import GOLD
    gold = [json.loads(line) for line in GOLD.read_text().splitlines()]
    mismatches = [r for r in corpus_records if r["type"] == "claim" and r["status"] == "mismatch"]
    matched_texts = {(g["doc"], g["text"]) for g in gold if g["status"] == "match"}
    wrong = [(r["doc"], r["text"]) for r in mismatches if (r["doc"], r["text"]) in matched_texts]
    assert wrong == []
