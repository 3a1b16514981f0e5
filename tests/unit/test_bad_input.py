"""Odd input never stops a batch: each yields a clear error record or a release, and the other
releases of the batch come out whole. Plus a property test over arbitrary text."""
from __future__ import annotations

import builtins
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from extractor import batch, document, tables
from extractor.batch import BatchOptions, collect_inputs, run_batch
from extractor.models import BlockKind
from extractor.pipeline import Extractor

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
GOOD = CORPUS / "cpst-2003-07-17.txt"
SOURCE = CORPUS / "cpst-2004-11-04.txt"  # the release the odd files are made from


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


@pytest.fixture(scope="module")
def source(extractor):
    """The source release's text and where its first table starts."""
    release = extractor.read(SOURCE)
    tables_ = [block for block in release.blocks if block.kind == BlockKind.TABLE]
    return release.text, tables_[0]


@pytest.fixture(scope="module")
def good_spans(extractor):
    return spans_by_path(run(extractor, [GOOD]))[str(GOOD)]


def run(extractor, paths, **options) -> list[dict]:
    inputs = collect_inputs([str(path) for path in paths])
    return list(run_batch(inputs, BatchOptions(**{"jobs": 1, **options}), lambda: extractor))


def spans_by_path(records: list[dict]) -> dict[str, list]:
    """Each input's records, reduced to (type, start, end), under its header's path."""
    blocks: dict[str, list] = {}
    current = None
    for record in records:
        if record["type"] in ("release", "error"):
            current = blocks.setdefault(record["path"], [record])
        elif current is not None and "doc" in record:
            current.append((record["type"], record.get("start"), record.get("end")))
    return blocks


def odd_one_out(extractor, good_spans, odd: Path, **options) -> list:
    """Run [good, odd]: the good release comes out whole; the odd one's block is returned."""
    blocks = spans_by_path(run(extractor, [GOOD, odd], **options))
    assert list(blocks) == [str(GOOD), str(odd)]
    assert blocks[str(GOOD)][1:] == good_spans[1:]
    return blocks[str(odd)]


def kinds(block: list) -> list[str]:
    return [item[0] for item in block[1:]]


def test_an_empty_file_is_a_read_error(tmp_path, extractor, good_spans):
    odd = tmp_path / "empty.txt"
    odd.write_bytes(b"")
    header, *rest = odd_one_out(extractor, good_spans, odd)
    assert (header["type"], header["stage"]) == ("error", "read")
    assert "empty" in header["message"] and rest == []


def test_binary_garbage_is_a_read_error(tmp_path, extractor, good_spans):
    odd = tmp_path / "garbage.txt"
    odd.write_bytes(bytes((index * 7919) % 256 for index in range(50_000)))
    header, *rest = odd_one_out(extractor, good_spans, odd)
    assert (header["type"], header["stage"]) == ("error", "read")
    assert "binary" in header["message"] and rest == []


def test_utf16_reads_as_the_same_release(tmp_path, extractor, good_spans, source):
    text, _ = source
    odd = tmp_path / "utf16.txt"
    odd.write_bytes(text.encode("utf-16"))
    block = odd_one_out(extractor, good_spans, odd)
    assert block[0]["encoding"].startswith("utf-16")
    reference = spans_by_path(run(extractor, [SOURCE]))[str(SOURCE)]
    assert block[1:] == reference[1:]


def test_cp1252_curly_quotes_are_decoded_and_found(tmp_path, extractor, good_spans, source):
    text, _ = source
    curly = text.replace('"This period', "\u201cThis period").replace("plan.\"", "plan.\u201d")
    assert curly != text
    odd = tmp_path / "cp1252.txt"
    odd.write_bytes(curly.replace("--", "\u2014").encode("cp1252"))
    block = odd_one_out(extractor, good_spans, odd)
    assert block[0]["encoding"] == "cp1252"
    assert "quote" in kinds(block) and "claim" in kinds(block) and "fact" in kinds(block)


def test_a_20_mb_file_is_refused_by_the_size_limit(tmp_path, extractor, good_spans, source):
    text, _ = source
    odd = tmp_path / "huge.txt"
    odd.write_bytes(text.encode() * (20_000_000 // len(text)) + b"x" * (20_000_000 % len(text)))
    header, *rest = odd_one_out(extractor, good_spans, odd, max_bytes=10_000_000)
    assert header == {"type": "error", "path": str(odd), "stage": "input",
                      "message": "InputRejected: release too large: 20000000 bytes > limit 10000000"}
    assert rest == []


def test_a_2_mb_release_with_prose_and_tables_is_processed(tmp_path, extractor, good_spans, source):
    text, _ = source
    odd = tmp_path / "long.txt"
    odd.write_text("\n\n".join([text] * (2_000_000 // len(text) + 1)))
    assert odd.stat().st_size > 2_000_000
    started = time.monotonic()
    block = odd_one_out(extractor, good_spans, odd)
    assert time.monotonic() - started < 30
    assert block[0]["type"] == "release"
    assert kinds(block).count("fact") > 20_000 and "claim" in kinds(block)


def test_a_release_without_tables_has_claims_and_no_facts(tmp_path, extractor, good_spans, source):
    text, first_table = source
    odd = tmp_path / "no-tables.txt"
    odd.write_text(text[:first_table.start])
    block = odd_one_out(extractor, good_spans, odd)
    assert block[0]["type"] == "release"
    assert "claim" in kinds(block) and "fact" not in kinds(block)


def test_tables_without_prose_have_facts_and_no_claims(tmp_path, extractor, good_spans, source):
    text, first_table = source
    odd = tmp_path / "tables-only.txt"
    odd.write_text(text[first_table.start:])
    block = odd_one_out(extractor, good_spans, odd)
    assert block[0]["type"] == "release"
    assert "fact" in kinds(block) and "claim" not in kinds(block)


def test_a_table_cut_off_mid_line_keeps_its_whole_rows(tmp_path, extractor, good_spans, source):
    text, first_table = source
    cut = text[:(first_table.start + first_table.end) // 2 + 7]
    assert not cut.endswith("\n")
    odd = tmp_path / "cut.txt"
    odd.write_text(cut)
    block = odd_one_out(extractor, good_spans, odd)
    assert block[0]["type"] == "release"
    facts = [item for item in block[1:] if item[0] == "fact"]
    assert facts and all(end <= len(cut) for _, _, end in facts)


def test_stray_html_markup_in_prose_is_read_around(tmp_path, extractor, good_spans, source):
    text, first_table = source
    marked = (text[:first_table.start]
              .replace("Sales for the second", "<p><b>Sales</b> for&nbsp;the second", 1)
              .replace("Operating expenses", "</div><font size=2>Operating expenses", 1))
    odd = tmp_path / "markup.htm"
    odd.write_text(marked)
    block = odd_one_out(extractor, good_spans, odd)
    assert block[0]["type"] == "release"
    claims = [record for record in run(extractor, [odd]) if record["type"] == "claim"]
    assert any(claim["text"] == "$3.9 million" for claim in claims)
    assert all(marked[claim["start"]:claim["end"]] == claim["text"] for claim in claims)


def test_an_unreadable_file_is_an_input_error(tmp_path, extractor, good_spans, monkeypatch, source):
    """chmod 000 where permissions hold; as root they do not, so `open` is made to refuse."""
    odd = tmp_path / "locked.txt"
    odd.write_text(source[0])
    odd.chmod(0)
    if os.access(odd, os.R_OK):  # root: simulate the refusal the file system would give
        def refusing_open(file, *args, **kwargs):
            if str(file) == str(odd):
                raise PermissionError(13, "Permission denied", str(file))
            return builtins.open(file, *args, **kwargs)
        monkeypatch.setattr(batch, "open", refusing_open, raising=False)
    header, *rest = odd_one_out(extractor, good_spans, odd)
    assert (header["type"], header["stage"]) == ("error", "input")
    assert header["message"].startswith("PermissionError:") and rest == []


def test_a_missing_path_is_an_input_error(tmp_path, extractor, good_spans):
    odd = tmp_path / "missing.txt"
    header, *rest = odd_one_out(extractor, good_spans, odd)
    assert (header["type"], header["stage"]) == ("error", "input")
    assert header["message"].startswith("FileNotFoundError:") and rest == []


def test_a_fifo_is_refused_without_blocking(tmp_path, extractor, good_spans):
    odd = tmp_path / "pipe.txt"
    os.mkfifo(odd)
    header, *rest = odd_one_out(extractor, good_spans, odd)
    assert header == {"type": "error", "path": str(odd), "stage": "input",
                      "message": f"InputRejected: not a regular file: {odd}"}


def test_a_thousand_tiny_files_each_give_one_header(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for index in range(1000):
        body = "" if index % 100 == 0 else (
            f"Acme Widgets Inc. (NYSE:ACME) reported revenue of ${index}.{index % 10} million "
            f"for the quarter ended March 31, 2024, up {index % 40}% from a year ago.\n")
        (folder / f"{index:04d}.txt").write_text(body)
    started = time.monotonic()
    records = list(run_batch(collect_inputs([str(folder)]), BatchOptions(jobs=2)))
    assert time.monotonic() - started < 60
    heads = [record for record in records if record["type"] in ("release", "error")]
    assert [Path(record["path"]).name for record in heads] == [f"{i:04d}.txt" for i in range(1000)]
    assert sum(record["type"] == "error" for record in heads) == 10
    assert sum(record["type"] == "claim" for record in records) >= 900


# --------------------------------------------------------------------------- property

def corpus_chunks(size: int = 12) -> list[str]:
    """Runs of consecutive corpus lines: whole prose paragraphs and table rows to shuffle."""
    chunks = []
    for path in sorted(CORPUS.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        chunks += ["\n".join(lines[start:start + size]) for start in range(0, len(lines), size // 2)]
    return chunks


CORPUS_CHUNKS = corpus_chunks()
ODD_PIECES = ["<p>", "</b>", "&amp;", "&nbsp;", "$", "(1,234)", "$ 4.1 million", "\t", "\r\n",
              "   ", "<TABLE>", "</TEXT>", "<DOCUMENT>", "<TYPE>EX-99.1", "%", "--", "\u201c", "\u2014"]
release_like_text = st.lists(
    st.one_of(st.sampled_from(CORPUS_CHUNKS), st.sampled_from(ODD_PIECES), st.text(max_size=40)),
    max_size=40).map("\n".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=release_like_text)
def test_any_text_reads_and_extracts_with_true_offsets(extractor, text):
    try:
        release = document.read_release(text.encode("utf-8"))
    except document.ReleaseError:
        return
    facts, _ = tables.extract_tables(release)
    assert [fact for fact in facts if release.text[fact.start:fact.end] != fact.printed] == []
    result = extractor.extract(release)
    source = result.release.text
    assert [fact for fact in result.facts if source[fact.start:fact.end] != fact.printed] == []
    assert [claim for claim in result.claims if source[claim.start:claim.end] != claim.text] == []
    assert [quote for quote in result.quotes if source[quote.start:quote.end] != quote.text] == []
