"""Golden files per corpus release: the claims and facts the extractor gives today, reviewed.

`pytest tests/test_golden.py --update-golden` rewrites them; `git diff tests/golden` shows what
changed. A failure lists what is missing and what is unexpected, one record a line."""
import json
from pathlib import Path

import pytest

from conftest import CORPUS

GOLDEN = Path(__file__).resolve().parent / "golden"
KINDS = {"claims": "claim", "facts": "fact"}


def canonical(record):
    return json.dumps(record, sort_keys=True)


def releases():
    return sorted(path.name for path in CORPUS.glob("*.txt"))


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("release", releases())
def test_output_matches_the_reviewed_golden_file(corpus_records, request, release, kind):
    current = sorted(canonical(record) for record in corpus_records
                     if record["type"] == KINDS[kind] and record["doc"] == release)
    path = GOLDEN / f"{release[:-4]}.{kind}.jsonl"
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text("".join(line + "\n" for line in current), encoding="utf-8")
    expected = path.read_text(encoding="utf-8").splitlines()
    missing = sorted(set(expected) - set(current))
    unexpected = sorted(set(current) - set(expected))
    assert not missing and not unexpected, (
        f"{path.name}: {len(missing)} missing, {len(unexpected)} unexpected\n"
        + "".join(f"- {line}\n" for line in missing) + "".join(f"+ {line}\n" for line in unexpected))
