"""Many releases in, JSONL records out in input order, whatever runs the work.

    inputs ─► read bytes, hash, size check ─► extract (here, a process pool or Dask) ─► in order
           ─► group by issuer ─► reconcile each group ─► records in input order + group records

Extraction is per release and runs wherever the engine puts it: in this process (`jobs=1`), in a
spawn-safe process pool, or on a Dask cluster. Results come back in input order. A release's
claims can only be judged once every release of its issuer is in, so the results of all releases
are held until extraction ends; they are slim (facts, claims, quotes: the release texts are
dropped in the worker), a few tens of kilobytes a release.

Every release that fails (missing, unreadable, too large, not a release, a stage raising, past its
time limit) becomes an error record and the batch goes on. Output is the same bytes whatever the
engine and the number of jobs.

Resume: each release's records open with a `release` header record carrying the sha256 of its
bytes. With `resume`, an input whose hash already heads a block of the existing output is not
extracted again: its old block is kept as it is, along with the old group-level records. The
limitation: kept releases are not reconciled again, so evidence between a kept release and a new
one (a restatement, a cross-release figure) is not found; run without `resume` for that.
"""
from __future__ import annotations

import glob
import hashlib
import json
import multiprocessing
import os
import secrets
import signal
import stat
import sys
import threading
import time
import traceback
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Union

import datetime as dt

from .models import Corroboration, ErrorRecord, Issuer, Record, Restatement
from .pipeline import (Extractor, GroupResult, ReleaseResult, error_record, group_by_issuer,
                       group_records, reconcile_group, release_records)

DEFAULT_MAX_BYTES = 25_000_000
DEFAULT_TIMEOUT = 60.0
RELEASE_SUFFIXES = (".txt", ".htm", ".html")
STDIN = "-"
STDIN_DOC = "<stdin>"
TASKS_PER_WORKER = 4  # releases in flight per worker: enough to keep it busy, little memory

# error record stages that are not a pipeline module (those are named after the module)
INPUT, READ, EXTRACT, TIMEOUT, WORKER, RECONCILE = (
    "input", "read", "extract", "timeout", "worker", "reconcile")
RELEASE, ERROR = "release", ErrorRecord.record_type
GROUP_TYPES = frozenset({Restatement.record_type, Corroboration.record_type})

ExtractorFactory = Callable[[], Extractor]


class Engine(str, Enum):
    LOCAL = "local"
    DASK = "dask"


def default_jobs() -> int:
    """The cores this process may use (the affinity mask, where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch. `scheduler` is a Dask scheduler address; with the Dask engine and
    none, a local cluster of `jobs` worker processes is started for the run."""

    jobs: int = field(default_factory=default_jobs)
    engine: Engine = Engine.LOCAL
    scheduler: Optional[str] = None
    resume: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT
    quiet: bool = False
    progress: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "engine", Engine(self.engine))
        if self.jobs < 1 or self.max_bytes < 1 or self.timeout <= 0:
            raise ValueError("jobs, max_bytes and timeout must be positive")


@dataclass(frozen=True)
class Summary:
    """What a write produced: releases seen (successes and errors), failures, lines written."""

    total: int
    failed: int
    written: int


# --------------------------------------------------------------------------- inputs

@dataclass(frozen=True)
class Input:
    """One release to process: a path as given, or the bytes of standard input (`name` "-")."""

    name: str
    data: Optional[bytes] = field(default=None, repr=False)

    @property
    def doc(self) -> str:
        """The release's doc id, as the reader names a file: its file name."""
        return STDIN_DOC if self.name == STDIN else Path(self.name).name


def collect_inputs(args: Sequence[str]) -> list[Input]:
    """Files, directories (recursive), glob patterns and "-" (stdin), in a deterministic order.

    A path that does not exist stays an input: it becomes an error record, not an exception."""
    return [item for arg in args for item in inputs_of(arg)]


def inputs_of(arg: str) -> list[Input]:
    if arg == STDIN:
        return [Input(STDIN, sys.stdin.buffer.read())]
    path = Path(arg)
    if path.is_dir():
        return [Input(str(found)) for found in releases_under(path)]
    if not path.exists() and is_glob(arg):
        matches = sorted(glob.glob(arg, recursive=True))
        if matches:
            return [item for match in matches for item in inputs_of(match)]
    return [Input(arg)]


def is_glob(arg: str) -> bool:
    return any(char in arg for char in "*?[")


def releases_under(folder: Path) -> list[Path]:
    """Release files below a folder, sorted by relative path; hidden entries are skipped."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        found += [Path(root, name) for name in files
                  if not name.startswith(".") and name.lower().endswith(RELEASE_SUFFIXES)]
    return sorted(found, key=lambda path: path.relative_to(folder).as_posix())
