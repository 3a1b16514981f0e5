"""Injected discrepancies: a stated figure raised 30% beyond tolerance must come back mismatch.

The method of ../shared/tools/inject.py, done here: for every gold claim of kind amount that the
tables confirm, a copy of its release with that one figure altered; the whole set is run as one
batch (with the unaltered releases, which cross-release figures need) and scored."""
import json
import re
import sys

import pytest

from conftest import CORPUS, DATA, GOLD, score

sys.path.insert(0, str(DATA))
from score import collapse  # noqa: E402  the shared scorer's whitespace folding, verbatim copy

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
FACTOR = 1.3


def raised(figure):
    match = NUMBER.search(figure)
    digits = match.group(0)
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    old = float(digits.replace(",", ""))
    new = round(old * FACTOR, decimals)
    formatted = f"{new:,.{decimals}f}" if "," in digits else f"{new:.{decimals}f}"
    return figure[:match.start()] + formatted + figure[match.end():], new / old


def altered_copies(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for original in CORPUS.glob("*.txt"):
        (folder / original.name).write_bytes(original.read_bytes())
    gold_rows, counts = [], {}
    for line in GOLD.read_text().splitlines():
        gold = json.loads(line)
        if gold["kind"] != "amount" or gold["status"] != "match" or \
                gold.get("qualifier") not in (None, "approximately"):
            continue
        text = (CORPUS / gold["doc"]).read_text(encoding="utf-8")
        flat, index = collapse(text)
        anchor, figure = " ".join(gold["anchor"].split()), " ".join(gold["text"].split())
        at = flat.find(anchor) + anchor.find(figure)
        start, end = index[at], index[at + len(figure) - 1] + 1
        new_figure, ratio = raised(text[start:end])
        stem = gold["doc"][:-4]
        counts[stem] = counts.get(stem, 0) + 1
        name = f"{stem}__{counts[stem]}.txt"
        (folder / name).write_text(text[:start] + new_figure + text[end:], encoding="utf-8")
        new_anchor = anchor.replace(figure, " ".join(new_figure.split()), 1)
        gold_rows.append(dict(gold, doc=name, anchor=new_anchor, text=" ".join(new_figure.split()),
                              value=gold["value"] * ratio, status="mismatch"))
    gold_path = tmp_path / "gold.jsonl"
    gold_path.write_text("".join(json.dumps(row) + "\n" for row in gold_rows))
    return folder, gold_path, len(gold_rows)


def run_folder(folder, pipeline):
    from extractor.pipeline import group_by_issuer, group_records, reconcile_group
    results = [pipeline.extract(pipeline.read(path)) for path in sorted(folder.glob("*.txt"))]
    records = []
    for group in group_by_issuer(results):
        records += group_records(reconcile_group(group, pipeline.resources))
    return [json.loads(json.dumps(record)) for record in records]


@pytest.mark.slow
def test_altered_figures_come_back_mismatch_with_the_right_table_value(tmp_path, extractor_pipeline):
    folder, gold_path, count = altered_copies(tmp_path)
    assert count >= 40
    figures = score(run_folder(folder, extractor_pipeline), tmp_path, gold=gold_path, corpus=folder)
    assert figures["detect_recall"] == 1.0, figures
    assert figures["status"] >= 0.95, figures
    assert figures["table_value"] >= 0.95, figures
