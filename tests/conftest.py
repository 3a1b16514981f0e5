"""Shared fixtures: the loaded pipeline (built once a session) and the corpus run."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"
GOLD = DATA / "gold_claims.jsonl"


@pytest.fixture(scope="session")
def extractor_pipeline():
    from extractor.pipeline import Extractor
    return Extractor()


@pytest.fixture(scope="session")
def corpus_records(extractor_pipeline):
    """Every record of a run over the whole corpus folder, as JSON dicts."""
    from extractor.pipeline import group_by_issuer, group_records, reconcile_group
    results = [extractor_pipeline.extract(extractor_pipeline.read(path))
               for path in sorted(CORPUS.glob("*.txt"))]
    records = []
    for group in group_by_issuer(results):
        records += group_records(reconcile_group(group, extractor_pipeline.resources))
    return [json.loads(json.dumps(record)) for record in records]


def score(records, tmp_path, gold=GOLD, corpus=CORPUS):
    """The figures of the shared scorer (a verbatim copy in tests/data) for these records."""
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    out = subprocess.run([sys.executable, str(DATA / "score.py"), "--gold", str(gold), "--pred",
                          str(pred), "--corpus", str(corpus), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current output (review the diff!)")
