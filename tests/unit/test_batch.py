"""Batch runs: same bytes whatever the engine, input order, resume, atomic writes, limits."""
from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from extractor import batch, tables
from extractor.batch import BatchOptions, Input, collect_inputs, run_batch, write_jsonl
from extractor.pipeline import Extractor

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
RELEASES = sorted(CORPUS.glob("*.txt"))


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


class Spy:
    """An Extractor stand-in that counts the releases it extracts and can misbehave on one."""

    def __init__(self, real: Extractor, fail_on: int = 0, error: BaseException = KeyboardInterrupt(),
                 sleep: float = 0.0):
        self.real, self.fail_on, self.error, self.sleep = real, fail_on, error, sleep
        self.resources = real.resources
        self.extracted: list[str] = []

    def read(self, source, doc=None):
        return self.real.read(source, doc)

    def extract(self, release):
        self.extracted.append(release.doc)
        if len(self.extracted) == self.fail_on:
            time.sleep(self.sleep)
            raise self.error
        return self.real.extract(release)


@dataclass(frozen=True)
class LoggingFactory:
    """Builds the real Extractor and notes which process built it (for the pool test)."""

    log: str

    def __call__(self) -> Extractor:
        with open(self.log, "a") as stream:
            stream.write(f"{os.getpid()}\n")
        return Extractor()


def run_to_file(path: Path, inputs, factory=Extractor, **options) -> bytes:
    write_jsonl(run_batch(inputs, BatchOptions(**options), extractor_factory=factory), path)
    return path.read_bytes()


def records_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def headers(records: list[dict]) -> list[str]:
    return [record["path"] for record in records if record["type"] in ("release", "error")]


def corpus_inputs() -> list[Input]:
    return collect_inputs([str(CORPUS)])


def test_jobs_1_and_2_write_the_same_bytes(tmp_path, extractor):
    one = run_to_file(tmp_path / "one.jsonl", corpus_inputs(), lambda: extractor, jobs=1)
    log = tmp_path / "built.log"
    two = run_to_file(tmp_path / "two.jsonl", corpus_inputs(), LoggingFactory(str(log)), jobs=2)
    assert one == two
    records = records_of(tmp_path / "one.jsonl")
    assert headers(records) == [str(path) for path in RELEASES]
    assert sum(record["type"] == "claim" for record in records) > 40
    builders = log.read_text().split()  # each worker built its Extractor once, the parent none
    assert len(builders) == len(set(builders)) <= 2
    assert str(os.getpid()) not in builders


@pytest.mark.slow
def test_dask_cluster_writes_the_same_bytes_as_one_job(tmp_path, extractor):
    distributed = pytest.importorskip("dask.distributed")
    one = run_to_file(tmp_path / "one.jsonl", corpus_inputs(), lambda: extractor, jobs=1)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        on_dask = run_to_file(tmp_path / "dask.jsonl", corpus_inputs(), engine="dask",
                              scheduler=cluster.scheduler_address)
    assert on_dask == one


def test_records_follow_input_order_with_group_records_last(extractor):
    order = [RELEASES[2], RELEASES[0], RELEASES[3], RELEASES[1]]
    records = list(run_batch(collect_inputs([str(path) for path in order]), BatchOptions(jobs=1),
                             extractor_factory=lambda: extractor))
    assert headers(records) == [str(path) for path in order]
    docs_in_order = []
    for record in records:
        if record["type"] == "release":
            docs_in_order.append(record["doc"])
        elif "doc" in record and record["type"] != "release":
            assert record["doc"] == docs_in_order[-1]
    kinds = [record["type"] for record in records]
    first_group = min(kinds.index(kind) for kind in ("restatement", "corroboration") if kind in kinds)
    assert set(kinds[first_group:]) <= {"restatement", "corroboration"}
    assert {"claim", "fact", "quote", "check"} <= set(kinds[:first_group])


def test_resume_skips_releases_already_written(tmp_path, extractor):
    out = tmp_path / "out.jsonl"
    first = [str(path) for path in RELEASES[:2]]
    run_to_file(out, collect_inputs(first), lambda: extractor, jobs=1)
    old_lines = out.read_text(encoding="utf-8").splitlines()
    spy = Spy(extractor)
    everything = collect_inputs([str(CORPUS)])
    write_jsonl(run_batch(everything, BatchOptions(jobs=1, resume=True), lambda: spy, out_path=out), out)
    assert spy.extracted == [path.name for path in RELEASES[2:]]
    records = records_of(out)
    assert headers(records) == [str(path) for path in RELEASES]
    new_lines = out.read_text(encoding="utf-8").splitlines()
    kept = [line for line in old_lines if json.loads(line)["type"] not in batch.GROUP_TYPES]
    assert new_lines[:len(kept)] == kept

    again = Spy(extractor)
    before = out.read_bytes()
    write_jsonl(run_batch(everything, BatchOptions(jobs=1, resume=True), lambda: again, out_path=out), out)
    assert again.extracted == []
    assert out.read_bytes() == before


def test_interrupt_writes_the_finished_releases_and_reraises(tmp_path, extractor):
    out = tmp_path / "out.jsonl"
    out.write_text("previous output\n")
    spy = Spy(extractor, fail_on=3, error=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        write_jsonl(run_batch(corpus_inputs(), BatchOptions(jobs=1), lambda: spy), out)
    records = records_of(out)  # every line parses: valid JSONL
    assert headers(records) == [str(path) for path in RELEASES[:2]]
    assert {record["doc"] for record in records if record["type"] == "claim"} == \
        {path.name for path in RELEASES[:2]}
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_interrupted_resume_loses_no_old_release(tmp_path, extractor):
    out = tmp_path / "out.jsonl"
    run_to_file(out, collect_inputs([str(RELEASES[3])]), lambda: extractor, jobs=1)
    spy = Spy(extractor, fail_on=2, error=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        write_jsonl(run_batch(corpus_inputs(), BatchOptions(jobs=1, resume=True), lambda: spy,
                              out_path=out), out)
    assert headers(records_of(out)) == [str(RELEASES[0]), str(RELEASES[3])]


def test_a_failed_write_leaves_the_existing_output_untouched(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous output\n")

    def records():
        yield {"type": "release", "path": "a"}
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_jsonl(records(), out)
    assert out.read_text() == "previous output\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_write_counts_releases_failures_and_lines(tmp_path):
    records = [{"type": "release", "path": "a"}, {"type": "claim"}, {"type": "error", "path": "b"},
               {"type": "restatement"}]
    summary = write_jsonl(records, tmp_path / "out.jsonl")
    assert summary == batch.Summary(total=2, failed=1, written=4)
    (tmp_path / "plain").write_text("")
    assert os.stat(tmp_path / "out.jsonl").st_mode == os.stat(tmp_path / "plain").st_mode


def test_text_and_dicts_are_written_alike_and_counted_by_type(tmp_path):
    records = [{"type": "release", "path": "a"}, {"type": "claim", "note": "é"},
               {"type": "error", "path": "b"}, {"type": "release", "path": "c"}]
    lines = [json.dumps(record, ensure_ascii=False) + "\n" for record in records]
    texts = [lines[0] + lines[1], lines[2], "", lines[3]]  # pieces of whole lines
    as_dicts = write_jsonl(records, tmp_path / "dicts.jsonl")
    as_text = write_jsonl(texts, tmp_path / "text.jsonl")
    assert as_dicts == as_text == batch.Summary(total=3, failed=1, written=4)  # releases + errors
    assert (tmp_path / "dicts.jsonl").read_bytes() == (tmp_path / "text.jsonl").read_bytes()


def test_the_type_of_a_line_is_read_even_when_it_is_not_the_first_key():
    assert batch.type_of('{"type": "claim", "doc": "a"}') == "claim"
    assert batch.type_of('{"doc": "a", "type": "error"}') == "error"
    assert batch.type_of('{"doc": "a"}') is None


def test_the_text_stream_is_the_dict_stream_encoded(extractor):
    inputs = collect_inputs([str(path) for path in RELEASES[:2]])
    texts = list(batch.run_batch_text(inputs, BatchOptions(jobs=1), lambda: extractor))
    records = list(run_batch(inputs, BatchOptions(jobs=1), lambda: extractor))
    assert all(text.endswith("\n") for text in texts if text)
    lines = "".join(texts).splitlines()
    assert [json.loads(line) for line in lines] == records
    assert [batch.type_of(line) for line in lines] == [record["type"] for record in records]
    assert lines[0].startswith('{"type": "release"')


def test_writing_to_dev_null_does_not_replace_it():
    summary = write_jsonl([{"type": "release", "path": "a"}], os.devnull)
    assert summary.written == 1
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_release_past_its_time_limit_is_an_error_and_the_batch_goes_on(extractor):
    spy = Spy(extractor, fail_on=1, error=RuntimeError("never reached"), sleep=5)
    started = time.monotonic()
    records = list(run_batch(collect_inputs([str(path) for path in RELEASES[:2]]),
                             BatchOptions(jobs=1, timeout=0.3), lambda: spy))
    assert time.monotonic() - started < 4
    assert records[0] == {"type": "error", "path": str(RELEASES[0]), "stage": "timeout",
                          "message": "ReleaseTimeout: timed out after 0.3 s"}
    assert headers(records) == [str(path) for path in RELEASES[:2]]
    assert any(record["type"] == "claim" and record["doc"] == RELEASES[1].name for record in records)


def test_time_limit_off_the_main_thread_refuses_a_late_release():
    outcome = []

    def work():
        try:
            with batch.time_limit(0.05):
                time.sleep(0.15)
        except batch.ReleaseTimeout as error:
            outcome.append(str(error))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert outcome == ["timed out after 0.05 s"]


def test_an_error_in_a_stage_is_named_after_its_module():
    with pytest.raises(AttributeError) as raised:
        tables.extract_tables(None)
    assert batch.failing_stage(raised.value) == "tables"


def test_a_stage_error_becomes_a_record_and_the_batch_goes_on(extractor):
    spy = Spy(extractor, fail_on=1, error=ValueError("bad table"))
    records = list(run_batch(collect_inputs([str(path) for path in RELEASES[:2]]),
                             BatchOptions(jobs=1), lambda: spy))
    assert records[0] == {"type": "error", "path": str(RELEASES[0]), "stage": "extract",
                          "message": "ValueError: bad table"}
    assert records[1]["type"] == "release" and records[1]["path"] == str(RELEASES[1])


def test_collect_inputs_walks_folders_globs_and_keeps_missing_paths(tmp_path, monkeypatch):
    for name in ("b/2.txt", "a/1.HTML", "a/z.htm", "c.txt", "notes.md", ".hidden/x.txt", "a/.y.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    monkeypatch.chdir(tmp_path)
    names = [item.name for item in collect_inputs([".", "b/*.txt", "missing.txt"])]
    assert names == ["a/1.HTML", "a/z.htm", "b/2.txt", "c.txt", "b/2.txt", "missing.txt"]


def test_standard_input_is_read_once_as_bytes(monkeypatch, extractor):
    data = RELEASES[0].read_bytes()

    class Stdin:
        buffer = io.BytesIO(data)

    monkeypatch.setattr("sys.stdin", Stdin)
    inputs = collect_inputs(["-"])
    assert inputs == [Input("-", data)]
    records = list(run_batch(inputs, BatchOptions(jobs=1), lambda: extractor))
    assert records[0]["type"] == "release" and records[0]["doc"] == "<stdin>"
    assert any(record["type"] == "claim" for record in records)


def test_progress_bar_on_a_terminal_counts_releases_and_failures(monkeypatch, extractor):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    inputs = collect_inputs([str(RELEASES[0]), "missing.txt"])
    list(run_batch(inputs, BatchOptions(jobs=1, progress=True), lambda: extractor))
    assert "2/2" in terminal.getvalue() and "failed=1" in terminal.getvalue()
    quiet = Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    list(run_batch(inputs, BatchOptions(jobs=1, progress=True, quiet=True), lambda: extractor))
    assert quiet.getvalue() == ""


def test_options_refuse_nonsense():
    with pytest.raises(ValueError):
        BatchOptions(engine="spark")
    with pytest.raises(ValueError):
        BatchOptions(jobs=0)
    assert BatchOptions(engine="dask").engine is batch.Engine.DASK


START_METHOD = """
import threading
from extractor import batch
print(batch.pool_context().get_start_method())
stop = threading.Event()
threading.Thread(target=stop.wait).start()
print(batch.pool_context().get_start_method())
stop.set()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is used on Linux only")
def test_pool_workers_fork_only_while_no_other_thread_runs():
    """In a fresh interpreter, as the CLI runs (this test process has threads of other tests)."""
    found = subprocess.run([sys.executable, "-c", START_METHOD], capture_output=True, text=True,
                           check=True, cwd=Path(batch.__file__).parents[1])
    assert found.stdout.split() == ["fork", "spawn"]


def test_files_of_the_same_name_in_different_folders_stay_different_releases(tmp_path, extractor):
    """Every year's exhibit of one issuer may be called the same: each keeps its own facts."""
    for year, release in (("2003", RELEASES[0]), ("2004", RELEASES[2])):
        (tmp_path / year).mkdir()
        (tmp_path / year / "ex99.txt").write_bytes(release.read_bytes())
    (tmp_path / "2004" / "other.txt").write_bytes(RELEASES[3].read_bytes())
    inputs = collect_inputs([str(tmp_path)])
    assert [item.doc for item in inputs] == [
        (tmp_path / "2003" / "ex99.txt").as_posix(), (tmp_path / "2004" / "ex99.txt").as_posix(),
        "other.txt"]
    same_name = list(run_batch(inputs, BatchOptions(jobs=1), lambda: extractor))
    apart = list(run_batch(collect_inputs([str(RELEASES[0]), str(RELEASES[2]), str(RELEASES[3])]),
                           BatchOptions(jobs=1), lambda: extractor))
    judged = [(r["text"], r["status"], r["table_value"]) for r in same_name if r["type"] == "claim"]
    assert judged == [(r["text"], r["status"], r["table_value"]) for r in apart if r["type"] == "claim"]
    assert len({r["doc"] for r in same_name if r["type"] == "fact"}) == 3
