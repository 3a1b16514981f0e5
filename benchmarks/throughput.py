"""Batch throughput against its targets (not a test): run it and read the table it prints.

    .venv/bin/python benchmarks/throughput.py [--n 1000] [--repeat 3] [--profile]

The sample corpus is replicated to N releases, each copy made distinct (its figures scaled by
a per-copy factor, its issuer renamed) so that no cache can flatter the figures. Measured on
those texts: releases/s and words/s with one job and two (medians), peak RSS of each worker,
RSS at the 100th and the 1,000th release of one process (flatness), start-up of a one-release
CLI run, and spaCy's bare tokenizer over the same texts as the floor nothing can beat.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor.batch import (BatchOptions, collect_inputs, pickled, reconcile_task,  # noqa: E402
                             run_batch_text, write_jsonl)
from extractor.document import read_release  # noqa: E402
from extractor.pipeline import Extractor, group_by_issuer  # noqa: E402

CORPUS = ROOT / "corpus"
START_UP_RELEASE = CORPUS / "cpst-2004-11-04.txt"
TARGETS = {"releases/s, 1 job": 40.0, "end-to-end / tokenizer floor": 1.6,
           "2 jobs / 1 job": 1.7, "peak RSS per worker, MB": 300.0, "start-up, s": 3.0}

# a figure: grouped thousands or a plain number, with its decimals; leading spaces kept apart
FIGURE = re.compile(r"(?P<pad> *)(?P<number>(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])\d+(?:\.\d+)?)(?![\w])")


# --------------------------------------------------------------------------- distinct copies

def scaled(match: re.Match, factor: Decimal) -> str:
    """A figure times `factor`, printed as it was (grouping, decimals, width where possible).
    Integers under 100 and years are left alone (days, quarters and years must stay dates), and
    so is an exhibit number."""
    pad, number = match.group("pad"), match.group("number")
    plain = number.replace(",", "")
    is_date_part = "." not in plain and (int(plain) < 100 or 1900 <= int(plain) <= 2099)
    if is_date_part or match.string[:match.start()].endswith("Exhibit"):
        return match.group(0)
    decimals = len(plain.partition(".")[2])
    value = (Decimal(plain) * factor).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    printed = f"{value:,.{decimals}f}" if "," in number else f"{value:.{decimals}f}"
    return pad[:max(0, len(pad) + len(number) - len(printed))] + printed


def renamed(word: str, copy: int) -> str:
    """A per-copy stand-in of the same length (so wrapped lines keep their width)."""
    letters = ""
    while len(letters) < len(word):
        copy, digit = divmod(copy, 26)
        letters += chr(ord("a") + digit)
        copy += 7 * len(letters)
    stand_in = letters[:len(word)]
    return stand_in.upper() if word.isupper() else stand_in.capitalize()


def distinct_copy(text: str, copy: int) -> str:
    """The release with its figures scaled and its issuer (name, ticker) renamed for this copy."""
    factor = Decimal(1000 + 1 + copy % 97) / 1000
    release = read_release(text)
    words = {release.issuer.ticker, (release.issuer.name or "").split(" ")[0]} - {None, ""}
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(word)}\b", renamed(word, copy + 1), text)
    return FIGURE.sub(lambda match: scaled(match, factor), text)


def make_releases(folder: Path, n: int) -> list[Path]:
    sources = [path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.txt"))]
    paths = []
    for index in range(n):
        copy, source = divmod(index, len(sources))
        path = folder / f"{index:05d}.txt"
        path.write_text(distinct_copy(sources[source], copy), encoding="utf-8")
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- measuring workers

def memory_kb(field: str) -> int:
    """A VmRSS/VmHWM figure of this process, from /proc (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class MeasuredExtractor(Extractor):
    """The real Extractor that notes its process's memory after each release."""

    def __init__(self, probe_dir: str):
        super().__init__()
        self.probe = Path(probe_dir) / f"{os.getpid()}.json"
        self.count = 0
        self.rss_at: dict[int, int] = {}

    def extract(self, release):
        result = super().extract(release)
        self.count += 1
        if self.count in (100, 1000):
            self.rss_at[self.count] = memory_kb("VmRSS")
        self.probe.write_text(json.dumps({"count": self.count, "peak_kb": memory_kb("VmHWM"),
                                          "rss_at": self.rss_at}))
        return result


@dataclass(frozen=True)
class MeasuredFactory:
    """Compares by value, so each worker's cached Extractor is found again by every task."""

    probe_dir: str

    def __call__(self) -> MeasuredExtractor:
        return MeasuredExtractor(self.probe_dir)


def timed_run(folder: Path, jobs: int) -> dict:
    """One batch run over the folder in a fresh interpreter, so no run warms another's caches."""
    command = [sys.executable, __file__, "--one-run", str(folder), "--jobs", str(jobs)]
    finished = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(finished.stdout.splitlines()[-1])


def one_run(folder: Path, jobs: int) -> None:
    """The measured run itself (in its own process): wall time, each worker's memory probes,
    this process's peak; printed as one JSON line."""
    inputs = collect_inputs([str(folder)])
    with tempfile.TemporaryDirectory() as probe_dir:
        started = time.perf_counter()
        summary = write_jsonl(run_batch_text(inputs, BatchOptions(jobs=jobs, quiet=True),
                                        extractor_factory=MeasuredFactory(probe_dir)), os.devnull)
        elapsed = time.perf_counter() - started
        probes = [json.loads(probe.read_text()) for probe in Path(probe_dir).glob("*.json")]
    print(json.dumps({"elapsed": elapsed, "probes": probes, "peak_kb": memory_kb("VmHWM"),
                      "failed": summary.failed}))


def tokenizer_floor(texts: list[str]) -> float:
    """spaCy's bare English tokenizer over the whole texts (a fresh one: it caches words)."""
    import spacy
    tokenizer = spacy.blank("en").tokenizer
    started = time.perf_counter()
    for text in texts:
        tokenizer(text)
    return time.perf_counter() - started


def parallel_ceiling(texts: list[str]) -> float:
    """What two processes can gain on this machine at all: the bare tokenizer over the texts in
    one process, against two processes taking half each (shared caches, busy neighbours...)."""
    halves = [texts[0::2], texts[1::2]]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(tokenizer_floor, [texts[:2], texts[:2]])  # both workers up and spaCy imported
        started = time.perf_counter()
        pool.map(tokenizer_floor, halves)
        both = time.perf_counter() - started
        started = time.perf_counter()
        pool.apply(tokenizer_floor, (texts,))
        alone = time.perf_counter() - started
    return alone / both


def start_up_seconds(repeat: int) -> float:
    command = [sys.executable, "-m", "extractor", "extract", str(START_UP_RELEASE), "--out", os.devnull, "-q"]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def profile(paths: list[Path], top: int) -> str:
    """cProfile of the one-job path (extraction, reconciliation, writing), top by own time."""
    extractor = Extractor()
    inputs = collect_inputs([str(path) for path in paths])
    profiler = cProfile.Profile()
    profiler.enable()
    write_jsonl(run_batch_text(inputs, BatchOptions(jobs=1), extractor_factory=lambda: extractor), os.devnull)
    profiler.disable()
    report = io.StringIO()
    stats = pstats.Stats(profiler, stream=report).strip_dirs()
    report.write(stage_breakdown(stats, len(paths)))
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return report.getvalue()


def step_times(paths: list[Path]) -> str:
    """Milliseconds per release of each step of the one-job path, without the profiler's
    overhead (which inflates call-heavy code such as record building)."""
    extractor = Extractor()
    spent = dict.fromkeys(("read", "extract", "reconcile + JSONL"), 0.0)
    results = []
    for path in paths:
        started = time.perf_counter()
        release = extractor.read(path.read_bytes(), path.name)
        spent["read"] += time.perf_counter() - started
        started = time.perf_counter()
        results.append(extractor.extract(release))
        spent["extract"] += time.perf_counter() - started
    started = time.perf_counter()
    for group in group_by_issuer(results):
        reconcile_task(extractor, [pickled(result) for result in group])
    spent["reconcile + JSONL"] += time.perf_counter() - started
    return "per-release time by step (unprofiled, one job):\n" + "\n".join(
        f"{seconds * 1000 / len(paths):8.2f} ms/release  {step}" for step, seconds in spent.items()) + "\n\n"


STAGE_PARENTS = {("pipeline.py", "read"), ("pipeline.py", "extract"), ("batch.py", "reconcile_task"),
                 ("pipeline.py", "release_records"), ("batch.py", "jsonl"),
                 ("batch.py", "write_lines")}


def stage_breakdown(stats: pstats.Stats, releases: int) -> str:
    """Milliseconds per release in each call the pipeline and the batch make, biggest first."""
    stats.calc_callees()
    rows = []
    for (file, _, name), callees in stats.all_callees.items():
        if (file, name) in STAGE_PARENTS:
            rows += [(value[3], f"{file}:{name} -> {callee[0]}:{callee[2]}")
                     for callee, value in callees.items() if callee[0] != "batch.py"]
    lines = [f"{seconds * 1000 / releases:8.2f} ms/release  {call}"
             for seconds, call in sorted(rows, reverse=True) if seconds * 1000 / releases >= 0.05]
    return "per-release time by stage (profiled, one job):\n" + "\n".join(lines) + "\n\n"


# --------------------------------------------------------------------------- report

def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def verdict(name: str, value: float) -> str:
    target = TARGETS[name]
    higher_is_better = name in ("releases/s, 1 job", "2 jobs / 1 job")
    ok = value >= target if higher_is_better else value <= target
    return f"{name:32s} {value:10.2f}   target {'>=' if higher_is_better else '<='} {target:<6g} {'ok' if ok else 'MISSED'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="releases (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per setting (median)")
    parser.add_argument("--profile", action="store_true", help="print cProfile hotspots too")
    parser.add_argument("--top", type=int, default=25, help="profile lines")
    parser.add_argument("--one-run", metavar="FOLDER", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run:
        one_run(Path(args.one_run), args.jobs)
        return

    with tempfile.TemporaryDirectory() as folder:
        paths = make_releases(Path(folder), args.n)
        texts = [path.read_text(encoding="utf-8") for path in paths]
        words = sum(len(text.split()) for text in texts)
        print(f"{args.n} distinct releases, {words:,} words, {sum(map(len, texts)):,} characters; "
              f"{os.cpu_count()} CPUs, load average {load_average()} (other work skews the figures)")
        medians, last = {}, {}
        for jobs in (1, 2):
            runs = [timed_run(Path(folder), jobs) for _ in range(args.repeat)]
            medians[jobs] = statistics.median(run["elapsed"] for run in runs)
            last[jobs] = runs[-1]
            times = ", ".join(f"{run['elapsed']:.2f}s" for run in runs)
            failed = f", {runs[-1]['failed']} failed" if runs[-1]["failed"] else ""
            print(f"jobs={jobs}: {args.n / medians[jobs]:7.1f} releases/s  "
                  f"{words / medians[jobs]:9,.0f} words/s  (runs: {times}{failed})")
        floor = statistics.median(tokenizer_floor(texts) for _ in range(args.repeat))
        print(f"tokenizer floor: {floor:.2f}s ({args.n / floor:.0f} releases/s); "
              f"two processes of it run {parallel_ceiling(texts):.2f}x one on this machine")
        one = last[1]["probes"][0]["rss_at"]
        print(f"jobs=1 (one process does it all): RSS at release 100 {one.get('100', 0) / 1024:.0f} MB, "
              f"at release 1000 {one.get('1000', 0) / 1024:.0f} MB, "
              f"peak {last[1]['peak_kb'] / 1024:.0f} MB")
        worker_peaks = [probe["peak_kb"] / 1024 for probe in last[2]["probes"]]
        print(f"jobs=2: worker peaks {', '.join(f'{peak:.0f} MB' for peak in worker_peaks)} "
              f"(releases {[probe['count'] for probe in last[2]['probes']]}), "
              f"parent peak {last[2]['peak_kb'] / 1024:.0f} MB")
        start_up = start_up_seconds(args.repeat)
        print(f"load average at the end: {load_average()}")
        print()
        print(verdict("releases/s, 1 job", args.n / medians[1]))
        print(verdict("end-to-end / tokenizer floor", medians[1] / floor))
        print(verdict("2 jobs / 1 job", medians[1] / medians[2]))
        print(verdict("peak RSS per worker, MB", max(worker_peaks)))
        print(verdict("start-up, s", start_up))
        if args.profile:
            print()
            print(step_times(paths[:min(len(paths), 200)]))
            print(profile(paths[:min(len(paths), 200)], args.top))


if __name__ == "__main__":
    main()
