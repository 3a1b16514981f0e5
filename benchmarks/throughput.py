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

from extractor.batch import BatchOptions, collect_inputs, run_batch, write_jsonl  # noqa: E402
from extractor.document import read_release  # noqa: E402
from extractor.pipeline import Extractor  # noqa: E402

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


def timed_run(paths: list[Path], jobs: int, out: Path) -> tuple[float, list[dict]]:
    with tempfile.TemporaryDirectory() as probe_dir:
        started = time.perf_counter()
        summary = write_jsonl(run_batch(collect_inputs([str(path) for path in paths]),
                                        BatchOptions(jobs=jobs, quiet=True),
                                        extractor_factory=MeasuredFactory(probe_dir)), out)
        elapsed = time.perf_counter() - started
        probes = [json.loads(probe.read_text()) for probe in Path(probe_dir).glob("*.json")]
    if summary.failed:
        print(f"  note: {summary.failed} of {summary.total} releases failed", file=sys.stderr)
    return elapsed, probes


def tokenizer_floor(texts: list[str]) -> float:
    import spacy
    tokenizer = spacy.blank("en").tokenizer
    started = time.perf_counter()
    for text in texts:
        tokenizer(text)
    return time.perf_counter() - started


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
    write_jsonl(run_batch(inputs, BatchOptions(jobs=1), extractor_factory=lambda: extractor), os.devnull)
    profiler.disable()
    report = io.StringIO()
    stats = pstats.Stats(profiler, stream=report).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return report.getvalue()


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
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        paths = make_releases(Path(folder), args.n)
        texts = [path.read_text(encoding="utf-8") for path in paths]
        words = sum(len(text.split()) for text in texts)
        print(f"{args.n} distinct releases, {words:,} words, {sum(map(len, texts)):,} characters; "
              f"{os.cpu_count()} CPUs, load average {load_average()} (other work skews the figures)")
        out = Path(folder) / "out.jsonl"
        medians, probes = {}, {}
        for jobs in (1, 2):
            runs = [timed_run(paths, jobs, out) for _ in range(args.repeat)]
            medians[jobs] = statistics.median(elapsed for elapsed, _ in runs)
            probes[jobs] = runs[-1][1]
            print(f"jobs={jobs}: {args.n / medians[jobs]:7.1f} releases/s  "
                  f"{words / medians[jobs]:9,.0f} words/s  "
                  f"(runs: {', '.join(f'{elapsed:.2f}s' for elapsed, _ in runs)})")
        floor = statistics.median(tokenizer_floor(texts) for _ in range(args.repeat))
        print(f"tokenizer floor: {floor:.2f}s ({args.n / floor:.0f} releases/s)")
        one = probes[1][0]
        print(f"one process, RSS at release 100: {one['rss_at'].get('100', 0) / 1024:.0f} MB, "
              f"at release 1000: {one['rss_at'].get('1000', 0) / 1024:.0f} MB "
              f"(this process also holds the slim results)")
        worker_peaks = [probe["peak_kb"] / 1024 for probe in probes[2]]
        print(f"jobs=2 worker peaks: {', '.join(f'{peak:.0f} MB' for peak in worker_peaks)}; "
              f"releases per worker: {[probe['count'] for probe in probes[2]]}")
        print(f"this process peak (all runs): {memory_kb('VmHWM') / 1024:.0f} MB")
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
            print(profile(paths[:min(len(paths), 200)], args.top))


if __name__ == "__main__":
    main()
