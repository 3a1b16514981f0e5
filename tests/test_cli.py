"""The command line: help for every command, exit codes, and the main job's outputs."""
import json
import subprocess
import sys

import pytest

from conftest import CORPUS


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "extractor", *args], capture_output=True,
                          text=True, cwd=cwd)


@pytest.mark.parametrize("command", [[], ["extract"], ["facts"], ["run"], ["report"]])
def test_every_command_explains_itself(command):
    out = run(*command, "--help")
    assert out.returncode == 0
    assert "usage: extractor" in out.stdout and len(out.stdout.splitlines()) > 5


def test_no_command_is_a_usage_error():
    assert run().returncode == 2


def test_bad_option_value_is_a_usage_error():
    out = run("extract", str(CORPUS), "--jobs", "0")
    assert out.returncode == 2 and "--jobs" in out.stderr


def test_a_failed_release_gives_exit_1_and_keeps_the_others(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    good = tmp_path / "good.txt"
    good.write_bytes((CORPUS / "cpst-2004-11-04.txt").read_bytes())
    out_file = tmp_path / "out.jsonl"
    out = run("extract", str(tmp_path / "empty.txt"), str(good), "--out", str(out_file), "--jobs", "1")
    assert out.returncode == 1 and "1 of 2 releases failed" in out.stderr
    records = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert [r["type"] for r in records if r["type"] in ("error",)] == ["error"]
    assert sum(r["type"] == "claim" for r in records) > 20


def test_facts_writes_only_table_records(tmp_path):
    out_file = tmp_path / "facts.jsonl"
    out = run("facts", str(CORPUS / "cpst-2004-11-04.txt"), "--out", str(out_file), "-q")
    assert out.returncode == 0
    types = {json.loads(line)["type"] for line in out_file.read_text().splitlines()}
    assert types == {"release", "fact", "check"}


@pytest.mark.slow
def test_run_writes_every_output_and_report_rebuilds_them(tmp_path):
    out_dir = tmp_path / "out"
    assert run("run", str(CORPUS), "--out", str(out_dir), "-q", "--jobs", "1").returncode == 0
    names = {"claims.jsonl", "report.md", "report.html", "claims.csv", "store.sqlite"}
    assert names <= {path.name for path in out_dir.iterdir()}
    first = (out_dir / "report.md").read_text()
    assert "118 claims" in first
    (out_dir / "report.md").unlink()
    assert run("report", str(out_dir)).returncode == 0
    assert (out_dir / "report.md").read_text() == first


@pytest.mark.slow
def test_a_later_run_reconciles_against_releases_in_the_store(tmp_path):
    """The 2004 release's "cash spending was $6.4 million" a year earlier can only be derived
    from the two 2003 releases: read in an earlier run, they are found in the store."""
    out_dir = tmp_path / "out"
    first = [str(CORPUS / "cpst-2003-07-17.txt"), str(CORPUS / "cpst-2003-11-06.txt")]
    assert run("run", *first, "--out", str(out_dir), "-q", "--jobs", "1").returncode == 0
    assert run("run", str(CORPUS / "cpst-2004-11-04.txt"), "--out", str(out_dir), "-q",
               "--jobs", "1").returncode == 0
    claims = [json.loads(line) for line in (out_dir / "claims.jsonl").read_text().splitlines()]
    spending = next(c for c in claims if c["type"] == "claim" and c["text"] == "$6.4 million")
    assert (spending["status"], spending["table_value"]) == ("match", 6420000)
    assert spending["evidence"]["cross_release"] is True
    earlier = {op["doc"] for op in spending["evidence"]["operands"]} - {"cpst-2004-11-04.txt"}
    assert earlier and earlier <= {"cpst-2003-07-17.txt", "cpst-2003-11-06.txt"}


@pytest.mark.slow
def test_resume_uses_the_kept_releases_as_evidence(tmp_path):
    out_file = tmp_path / "out.jsonl"
    first = [str(CORPUS / "cpst-2003-07-17.txt"), str(CORPUS / "cpst-2003-11-06.txt")]
    assert run("extract", *first, "--out", str(out_file), "-q", "--jobs", "1").returncode == 0
    assert run("extract", str(CORPUS), "--out", str(out_file), "-q", "--jobs", "1",
               "--resume").returncode == 0
    records = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert sum(r["type"] == "release" for r in records) == 4
    spending = next(r for r in records if r["type"] == "claim" and r["doc"] == "cpst-2004-11-04.txt"
                    and r["text"] == "$6.4 million")
    assert (spending["status"], spending["evidence"]["cross_release"]) == ("match", True)
    restatements = [json.dumps(r, sort_keys=True) for r in records if r["type"] == "restatement"]
    assert len(restatements) == len(set(restatements)) == 10
