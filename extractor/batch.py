"""Many releases in, JSONL records out in input order, whatever runs the work.

    inputs ─► read bytes, hash, size check ─► extract (here, a process pool or Dask) ─► in order
           ─► group by issuer ─► reconcile each group ─► records in input order + group records

Extraction is per release and runs wherever the engine puts it: in this process (`jobs=1`), in a
process pool (forked on Linux, spawned elsewhere), or on a Dask cluster. Results come back in
input order. A release's claims can only be judged once every release of its issuer is in, so
every result is kept until extraction ends: slim (facts, claims, quotes; the release texts are
dropped in the worker) and in a temporary file, not in memory, as are the records until they are
written in order. Memory stays flat however many releases; the disk holds about 100 kB a release
meanwhile.

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

import datetime as dt
import glob
import hashlib
import json
import multiprocessing
import os
import pickle
import re
import signal
import stat
import sys
import tempfile
import threading
import time
import traceback
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, Iterator, Optional, Sequence, TextIO, Union

from .files import atomic_output
from .models import Corroboration, ErrorRecord, Fact, Issuer, Record, Restatement
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
History = Callable[[str], list]  # issuer key -> fact records of its earlier releases


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
    """One release to process: a path as given, or the bytes of standard input (`name` "-").

    `doc` is the release's id in every record: its file name unless given."""

    name: str
    data: Optional[bytes] = field(default=None, repr=False)
    doc: str = ""

    def __post_init__(self) -> None:
        if not self.doc:
            object.__setattr__(self, "doc", STDIN_DOC if self.name == STDIN else Path(self.name).name)


def collect_inputs(args: Sequence[str]) -> list[Input]:
    """Files, directories (recursive), glob patterns and "-" (stdin), in a deterministic order.

    A path that does not exist stays an input: it becomes an error record, not an exception."""
    return with_unique_docs([item for arg in args for item in inputs_of(arg)])


def with_unique_docs(inputs: list[Input]) -> list[Input]:
    """Each release's doc id is its file name, unless other files of the batch share that name
    (every year's "ex99.htm" of one issuer): those are named by their paths as given, so no two
    releases are taken for one when their claims are judged, their restatements found, stored."""
    paths_by_name: dict[str, set[str]] = {}
    for item in inputs:
        paths_by_name.setdefault(item.doc, set()).add(item.name)
    return [replace(item, doc=Path(item.name).as_posix()) if len(paths_by_name[item.doc]) > 1
            else item for item in inputs]


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


# --------------------------------------------------------------------------- one release

class InputRejected(ValueError):
    """An input refused before it is read: not a regular file, or larger than the limit."""


class ReleaseTimeout(BaseException):
    """A release ran past its time limit. A BaseException so that no stage's broad
    `except Exception` can swallow it and carry on."""


@dataclass(frozen=True)
class Job:
    """The bytes of one release as shipped to a worker, which may not share our file system."""

    name: str
    doc: str
    data: bytes = field(repr=False)
    sha256: str


@dataclass(frozen=True)
class ReleaseHeader(Record):
    """The first record of a release's block: where it came from, the hash resume matches."""

    record_type = RELEASE
    doc: str
    path: str
    sha256: str
    issuer: Issuer
    date: Optional[dt.date]
    encoding: str


@dataclass(frozen=True)
class Extracted:
    """A release extracted in a worker, before reconciliation. The result (without its texts)
    stays pickled: this process only stores it and sends it back to a worker to reconcile."""

    header: ReleaseHeader
    issuer_key: str
    result: bytes = field(repr=False)


@dataclass(frozen=True)
class Kept:
    """A release already in the existing output (resume): where its block lies in that file."""

    sha256: str
    span: tuple[int, int]


Outcome = Union[Extracted, Kept, ErrorRecord]


def read_input(item: Input, max_bytes: int) -> bytes:
    """The bytes of an input; only a regular file is opened (a FIFO would block forever)."""
    if item.data is not None:
        check_size(len(item.data), max_bytes)
        return item.data
    info = os.stat(item.name)
    if not stat.S_ISREG(info.st_mode):
        raise InputRejected(f"not a regular file: {item.name}")
    check_size(info.st_size, max_bytes)
    with open(item.name, "rb") as stream:
        data = stream.read(max_bytes + 1)
    check_size(len(data), max_bytes)
    return data


def check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputRejected(f"release too large: {size} bytes > limit {max_bytes}")


def prepare(item: Input, max_bytes: int, previous: PreviousOutput) -> Union[Job, Kept, ErrorRecord]:
    """Read and hash an input: a job for a worker, the kept block of a done one, or an error."""
    try:
        data = read_input(item, max_bytes)
    except (OSError, InputRejected) as error:
        return error_record(item.name, INPUT, error)
    digest = hashlib.sha256(data).hexdigest()
    if digest in previous.blocks:
        return Kept(digest, previous.blocks[digest])
    return Job(item.name, item.doc, data, digest)


def extract_job(extractor: Extractor, job: Job, timeout: float) -> Union[Extracted, ErrorRecord]:
    """The per-release task: read and extract within the time limit; failures become records."""
    try:
        with time_limit(timeout):
            return extract_release(extractor, job)
    except ReleaseTimeout as error:
        return error_record(job.name, TIMEOUT, error)


def extract_release(extractor: Extractor, job: Job) -> Union[Extracted, ErrorRecord]:
    try:
        release = extractor.read(job.data, job.doc)
    except Exception as error:  # any failure of one release is that release's error record
        return error_record(job.name, READ, error)
    try:
        result = extractor.extract(release)
    except Exception as error:
        return error_record(job.name, failing_stage(error), error)
    header = ReleaseHeader(doc=release.doc, path=job.name, sha256=job.sha256,
                           issuer=release.issuer, date=release.date, encoding=release.encoding)
    return Extracted(header, result.issuer_key, pickled(slim(result)))


def slim(result: ReleaseResult) -> ReleaseResult:
    """The result without the release texts, which records and reconciliation never read: a
    fraction of the size to send between processes and to keep until the batch ends."""
    return replace(result, release=replace(result.release, text="", clean="", blocks=()))


def pickled(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def failing_stage(error: BaseException) -> str:
    """The pipeline module an error was raised in (tables, periods, claims ...), for its record."""
    stage = EXTRACT
    for frame, _ in traceback.walk_tb(error.__traceback__):
        module = frame.f_globals.get("__name__", "")
        package, _, name = module.rpartition(".")
        if package == __package__ and module != __name__:
            stage = name
    return stage


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ReleaseTimeout in the work once `seconds` have passed.

    SIGALRM interrupts the work where this thread can take signals (a pool worker, the main
    thread); elsewhere (a Dask worker thread) a release that took too long is refused when it
    ends. Neither stops a single long call into C, such as one regular expression match."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        started = time.monotonic()
        yield
        if time.monotonic() - started > seconds:
            raise ReleaseTimeout(timeout_message(seconds))
        return

    def expire(signum: int, frame: Any) -> None:
        raise ReleaseTimeout(timeout_message(seconds))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timeout_message(seconds: float) -> str:
    return f"timed out after {seconds:g} s"


GroupText = tuple[list[str], str]
JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(record, ensure_ascii=False), built once


def jsonl(records: Iterable[dict]) -> str:
    """JSONL text: each record on its own line, every line ending in a newline."""
    return "".join([JSON.encode(record) + "\n" for record in records])


def reconcile_task(extractor: Extractor, results: list[bytes],
                   history: Sequence[dict] = ()) -> GroupText:
    """Reconcile one issuer's releases (pickled results), with the fact records of its earlier
    releases (`history`, from the store) as further evidence, and write their JSONL where the
    worker runs: building and encoding records is a good share of the work, so it runs in
    parallel too, and one text per release is far cheaper than dicts or lines to send back,
    spool and write (the process that writes the output does little else)."""
    facts = [Fact.from_dict(record) for record in history]
    return group_jsonl(reconcile_group(unpickled(results), extractor.resources, facts))


def unpickled(results: list[bytes]) -> list[ReleaseResult]:
    return [pickle.loads(result) for result in results]


def group_jsonl(group: GroupResult) -> GroupText:
    """The JSONL of each release of a group, and of the group-level records."""
    return ([jsonl(release_records(result)) for result in group.releases],
            jsonl(group_records(replace(group, releases=()))))


# --------------------------------------------------------------------------- engines

@lru_cache(maxsize=1)
def worker_extractor(factory: ExtractorFactory) -> Extractor:
    """This worker process's Extractor, built by its first task and used by all the others.

    The one per-process cache of the package, and a deliberate one: loading the patterns and
    spaCy takes about a second, which a pool or Dask worker must pay once, not per release.
    The factory is the key, so it must compare by value: a class, a module-level function or
    a frozen dataclass (not a functools.partial, which would miss the cache on every task)."""
    return factory()


def start_worker(factory: ExtractorFactory) -> None:
    """Pool initializer: Ctrl-C is the parent's to handle; load the pipeline before any task."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker_extractor(factory)


def in_worker(task: Callable, factory: ExtractorFactory, *args: Any) -> Any:
    return task(worker_extractor(factory), *args)


class InProcess:
    """`jobs=1`: tasks run here and now, on one Extractor built at the first task."""

    window = 1

    def __init__(self, factory: ExtractorFactory):
        self.factory = factory
        self.extractor: Optional[Extractor] = None

    def submit(self, task: Callable, *args: Any) -> Future:
        if self.extractor is None:
            self.extractor = self.factory()
        future: Future = Future()
        try:
            future.set_result(task(self.extractor, *args))
        except Exception as error:
            future.set_exception(error)
        return future

    def close(self) -> None:
        self.extractor = None


def pool_context() -> Any:
    """How pool workers start: forked where that is safe (Linux, and no other thread in this
    process that a fork could copy mid-way), so each inherits the spaCy this process has
    imported instead of importing it again (about a second a worker); spawned elsewhere."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class ProcessPool:
    """A pool of worker processes, each building its Extractor once."""

    def __init__(self, factory: ExtractorFactory, jobs: int):
        self.factory = factory
        self.jobs = jobs
        self.window = jobs * TASKS_PER_WORKER
        self.executor = self.start()

    def start(self) -> ProcessPoolExecutor:
        """A pool with its workers started at once: a forking pool starts them all at its first
        task, which must come before any other thread of ours (a progress bar's) is running."""
        executor = ProcessPoolExecutor(self.jobs, mp_context=pool_context(),
                                       initializer=start_worker, initargs=(self.factory,))
        executor.submit(os.getpid)
        return executor

    def submit(self, task: Callable, *args: Any) -> Future:
        """A worker that dies (killed, out of memory) breaks the pool: the releases it held
        become error records and a fresh pool takes the next ones."""
        try:
            return self.executor.submit(in_worker, task, self.factory, *args)
        except BrokenProcessPool:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self.start()
            return self.executor.submit(in_worker, task, self.factory, *args)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


class DaskCluster:
    """The Dask engine: the cluster at `scheduler`, or a local one of `jobs` processes started
    for the run. Its workers must be able to import this package."""

    def __init__(self, factory: ExtractorFactory, jobs: int, scheduler: Optional[str]):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as error:
            raise ImportError("the dask engine needs dask.distributed: "
                              "pip install 'extractor[dask]'") from error
        self.factory = factory
        self.cluster = None if scheduler else LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        self.client = Client(scheduler or self.cluster)
        self.window = TASKS_PER_WORKER * max(1, sum(self.client.nthreads().values()))

    def submit(self, task: Callable, *args: Any) -> Any:
        return self.client.submit(in_worker, task, self.factory, *args, pure=False)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


@contextmanager
def open_engine(options: BatchOptions, factory: ExtractorFactory,
                tasks: int) -> Iterator[Union[InProcess, ProcessPool, DaskCluster]]:
    """The engine of the options; no pool for a single release, where start-up would dominate."""
    if options.engine == Engine.DASK:
        engine: Union[InProcess, ProcessPool, DaskCluster] = DaskCluster(
            factory, options.jobs, options.scheduler)
    elif min(options.jobs, tasks) > 1:
        engine = ProcessPool(factory, min(options.jobs, tasks))
    else:
        engine = InProcess(factory)
    try:
        yield engine
    finally:
        engine.close()


def settled(future: Any, name: str, stage: str) -> Any:
    """A task's result, or an error record when the task or its worker failed."""
    try:
        return future.result()
    except Exception as error:
        return error_record(name, stage, error)


def extracted_in_order(engine: Any, prepared: Iterable[Union[Job, Kept, ErrorRecord]],
                       timeout: float) -> Iterator[Outcome]:
    """Each input's outcome in input order, with at most `engine.window` releases in flight
    (so only that many release texts are ever in memory)."""
    in_flight: deque = deque()
    for item in prepared:
        future = engine.submit(extract_job, item, timeout) if isinstance(item, Job) else None
        in_flight.append((item, future))
        if len(in_flight) >= engine.window:
            yield outcome_of(*in_flight.popleft())
    while in_flight:
        yield outcome_of(*in_flight.popleft())


def outcome_of(item: Union[Job, Kept, ErrorRecord], future: Any) -> Outcome:
    return item if future is None else settled(future, item.name, WORKER)


# --------------------------------------------------------------------------- reconciliation

class Spool:
    """Pickled values in an unnamed temporary file, taken back by key: the results and records
    of a batch wait there, not in memory, between extraction, reconciliation and output."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()
        self.places: dict[Hashable, tuple[int, int]] = {}

    def put(self, key: Hashable, value: Any) -> None:
        data = pickled(value)
        self.places[key] = (self.file.seek(0, os.SEEK_END), len(data))
        self.file.write(data)

    def take(self, key: Hashable) -> Any:
        offset, size = self.places.pop(key)
        self.file.seek(offset)
        return pickle.loads(self.file.read(size))

    def close(self) -> None:
        self.file.close()


@dataclass(frozen=True)
class Spooled:
    """An extracted release whose result waits in the spool under its input position; grouped
    by issuer as a ReleaseResult is."""

    position: int
    header: ReleaseHeader
    issuer_key: str


def group_key(number: int) -> tuple[str, int]:
    return ("group", number)


def reconcile_spooled(engine: Any, done: Sequence[Union[Spooled, Kept, ErrorRecord]],
                      spool: Spool, history: Optional[History] = None) -> int:
    """Reconcile each issuer group on the engine, a few at a time, and spool the records of its
    releases (by position) and its group-level records (by group number). Returns the number
    of groups."""
    groups = group_by_issuer(item for item in done if isinstance(item, Spooled))  # type: ignore[arg-type]
    in_flight: deque = deque()
    for number, group in enumerate(groups):
        results = [spool.take(item.position) for item in group]
        earlier = history(group[0].issuer_key) if history else []
        in_flight.append((number, group, results, engine.submit(reconcile_task, results, earlier)))
        if len(in_flight) >= engine.window:
            spool_group_records(spool, *in_flight.popleft())
    while in_flight:
        spool_group_records(spool, *in_flight.popleft())
    return len(groups)


def spool_group_records(spool: Spool, number: int, group: Sequence[Spooled],
                        results: list[bytes], future: Any) -> None:
    """A group that fails to reconcile keeps its claims unjudged and gets an error record."""
    reconciled = settled(future, group[0].header.path, RECONCILE)
    errors = ""
    if isinstance(reconciled, ErrorRecord):
        errors = jsonl([reconciled.to_dict()])
        reconciled = group_jsonl(GroupResult(tuple(unpickled(results))))
    release_texts, group_level = reconciled
    for item, text in zip(group, release_texts):
        spool.put(item.position, jsonl([item.header.to_dict()]) + text)
    spool.put(group_key(number), errors + group_level)


# --------------------------------------------------------------------------- resume

class ResumeError(ValueError):
    """The existing output cannot be resumed from: it is not JSONL written by this tool."""


@dataclass(frozen=True)
class PreviousOutput:
    """What resume keeps of the existing output, as byte spans of that file (read again only
    when written out): each release's block by sha256, and the group-level records."""

    path: Path = Path(os.devnull)
    blocks: dict[str, tuple[int, int]] = field(default_factory=dict)
    group_spans: tuple[tuple[int, int], ...] = ()

    def text(self, span: tuple[int, int]) -> str:
        with open(self.path, "rb") as stream:
            stream.seek(span[0])
            data = stream.read(span[1] - span[0])
        return data.decode("utf-8")

    def records(self, span: tuple[int, int]) -> list[dict]:
        return [json.loads(line) for line in self.text(span).splitlines()]


def read_previous(path: Union[str, Path]) -> PreviousOutput:
    """The release blocks and group records of an output file; none if there is no file.

    A block is a `release` header and the records after it; an error record ends a block and
    is dropped, so failed releases are tried again."""
    if not Path(path).is_file():
        return PreviousOutput()
    blocks: list[list] = []  # [sha256, start, end] of each block, in file order
    group_spans: list[tuple[int, int]] = []
    current: Optional[list] = None
    end = 0
    with open(path, "rb") as stream:
        for number, line in enumerate(stream, 1):
            start, end = end, end + len(line)
            record = parse_line(line, path, number)
            kind = record.get("type")
            if kind == RELEASE:
                current = [record.get("sha256"), start, end]
                blocks.append(current)
            elif kind in GROUP_TYPES:
                group_spans.append((start, end))
                current = None
            elif kind == ERROR:
                current = None
            elif current is not None:
                current[2] = end
    kept: dict[str, tuple[int, int]] = {}
    for digest, start, stop in blocks:
        kept.setdefault(str(digest), (start, stop))
    return PreviousOutput(Path(path), kept, tuple(group_spans))


def parse_line(line: bytes, path: Union[str, Path], number: int) -> dict:
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        raise ResumeError(f"{path}:{number}: not a JSON record; cannot resume from this file")
    return record


# --------------------------------------------------------------------------- the batch

class Progress:
    """The tqdm bar on stderr (releases done, rate, failures so far), or nothing at all."""

    def __init__(self, bar: Any = None):
        self.bar = bar
        self.failed = 0

    def advance(self, outcome: Outcome) -> None:
        if self.bar is None:
            return
        self.failed += isinstance(outcome, ErrorRecord)
        self.bar.set_postfix(failed=self.failed, refresh=False)
        self.bar.update()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def progress_bar(total: int, options: BatchOptions) -> Progress:
    """A bar only when asked for, not quiet, stderr a terminal and tqdm (an extra) installed."""
    if not options.progress or options.quiet or not sys.stderr.isatty():
        return Progress()
    try:
        from tqdm import tqdm
    except ImportError:
        return Progress()
    return Progress(tqdm(total=total, unit="release", file=sys.stderr))


def run_batch(inputs: Sequence[Input], options: BatchOptions,
              extractor_factory: ExtractorFactory = Extractor,
              out_path: Optional[Union[str, Path]] = None,
              history: Optional[History] = None) -> Iterator[dict]:
    """The records of `run_batch_text`, as dicts."""
    return (json.loads(line) for text in run_batch_text(inputs, options, extractor_factory,
                                                         out_path, history)
            for line in text.splitlines())


def run_batch_text(inputs: Sequence[Input], options: BatchOptions,
                   extractor_factory: ExtractorFactory = Extractor,
                   out_path: Optional[Union[str, Path]] = None,
                   history: Optional[History] = None) -> Iterator[str]:
    """The JSONL of every input, in input order, then of the group-level records: pieces of
    whole lines (a release's block, an error record...), ready to write.

    Each release's block is its `release` header and its records; a failed input is one error
    record. Results and records wait in a temporary file, so memory stays flat however long
    the batch. On Ctrl-C the finished releases are reconciled and yielded (and, when resuming,
    the old blocks not reached yet), then KeyboardInterrupt is raised again. `out_path` is
    read only with `options.resume`. `history` gives an issuer's fact records from earlier
    runs (the store), so new releases are reconciled against earlier ones."""
    previous = read_previous(out_path) if options.resume and out_path else PreviousOutput()
    with closing(Spool()) as spool:
        with open_engine(options, extractor_factory, len(inputs)) as engine:
            done, interrupted = extract_to_spool(engine, inputs, options, previous, spool)
            evidence = with_kept_facts(history, done, previous)
            groups = reconcile_spooled(engine, done, spool, evidence)
        yield from text_in_order(done, spool, previous)
        if interrupted is not None:
            yield from unreached_blocks(done, previous)
        kept_group_text = "".join(previous.text(span) for span in previous.group_spans)
        yield kept_group_text
        seen = {canonical(line) for line in kept_group_text.splitlines()}
        for number in range(groups):
            yield "".join(line for line in spool.take(group_key(number)).splitlines(keepends=True)
                          if canonical(line) not in seen)
    if interrupted is not None:
        raise interrupted


def canonical(line: str) -> str:
    """A record line in a form that compares equal whatever its key order and spacing."""
    return json.dumps(json.loads(line), sort_keys=True)


def with_kept_facts(history: Optional[History], done: Sequence[Outcome],
                    previous: PreviousOutput) -> Optional[History]:
    """Evidence for reconciling the new releases: the store's history and, when resuming, the
    facts of the releases kept from the earlier output (their records are not redone)."""
    kept: dict[str, list[dict]] = {}
    for item in done:
        if isinstance(item, Kept):
            records = previous.records(item.span)
            header = records[0] if records and records[0].get("type") == "release" else {}
            key = kept_issuer_key(header)
            kept.setdefault(key, []).extend(r for r in records if r.get("type") == "fact")
    if not kept:
        return history
    return lambda key: (history(key) if history else []) + kept.get(key, [])


def kept_issuer_key(header: dict) -> str:
    """The issuer key of a kept release, as ReleaseResult.issuer_key computes it."""
    issuer = header.get("issuer") or {}
    return (issuer.get("ticker") or issuer.get("name") or header.get("doc") or "").upper()


def extract_to_spool(engine: Any, inputs: Sequence[Input], options: BatchOptions,
                     previous: PreviousOutput, spool: Spool
                     ) -> tuple[list[Union[Spooled, Kept, ErrorRecord]], Optional[KeyboardInterrupt]]:
    """Extract every input in order, spooling the results: what each input came to, and the
    Ctrl-C that stopped it early, if one did."""
    done: list[Union[Spooled, Kept, ErrorRecord]] = []
    prepared = (prepare(item, options.max_bytes, previous) for item in inputs)
    with closing(progress_bar(len(inputs), options)) as progress:
        try:
            for position, outcome in enumerate(extracted_in_order(engine, prepared, options.timeout)):
                progress.advance(outcome)
                if isinstance(outcome, Extracted):
                    spool.put(position, outcome.result)
                    outcome = Spooled(position, outcome.header, outcome.issuer_key)
                done.append(outcome)
        except KeyboardInterrupt as stop:
            return done, stop
    return done, None


def text_in_order(done: Sequence[Union[Spooled, Kept, ErrorRecord]], spool: Spool,
                  previous: PreviousOutput) -> Iterator[str]:
    for item in done:
        if isinstance(item, Spooled):
            yield spool.take(item.position)
        elif isinstance(item, Kept):
            yield previous.text(item.span)
        else:
            yield jsonl([item.to_dict()])


def unreached_blocks(done: Sequence[Union[Spooled, Kept, ErrorRecord]],
                     previous: PreviousOutput) -> Iterator[str]:
    """The old blocks an interrupted resume did not get to: carried over, so nothing is lost."""
    reached = {item.sha256 for item in done if isinstance(item, Kept)}
    for digest, span in previous.blocks.items():
        if digest not in reached:
            yield previous.text(span)


# --------------------------------------------------------------------------- writing

def write_jsonl(records: Iterable[Union[str, dict]],
                out_path: Optional[Union[str, Path]] = None) -> Summary:
    """Records to stdout or to `out_path`, one JSON line each: dicts, or JSONL text as
    `run_batch_text` gives it (whole lines, each record's type its first key).

    A file is written atomically (a temp file in its folder, fsynced, renamed over it), so it
    is always whole JSONL: on Ctrl-C what was finished is committed and KeyboardInterrupt goes
    on; on any other error, or a Ctrl-C before any record, the existing file is left as it is.
    Something that is not a regular file (/dev/null, a pipe) is written straight through."""
    if out_path is None:
        summary = write_lines(records, sys.stdout)
        sys.stdout.flush()
        return summary
    target = Path(os.path.realpath(out_path))
    if target.exists() and not target.is_file():
        with open(target, "w", encoding="utf-8", newline="\n") as stream:
            return write_lines(records, stream)
    with atomic_output(target) as stream:
        return write_lines(records, stream)


def write_lines(records: Iterable[Union[str, dict]], stream: TextIO) -> Summary:
    total = failed = written = 0
    for record in records:
        text = record if isinstance(record, str) else jsonl([record])
        stream.write(text)
        written += text.count("\n")
        errors = count_of_type(text, ERROR)
        failed += errors
        total += errors + count_of_type(text, RELEASE)
    return Summary(total, failed, written)


def count_of_type(text: str, kind: str) -> int:
    """How many lines of JSONL text are records of a kind, read off the lines' starts (where
    to_dict() puts the type): one scan of the text, not one per line."""
    return ("\n" + text).count(f'\n{{"type": "{kind}"')


LEADING_TYPE = re.compile(r'\{"type": "([^"\\]*)"')


def type_of(line: str) -> Optional[str]:
    """A record line's type: read off its start, where to_dict() puts it, else parsed."""
    found = LEADING_TYPE.match(line)
    if found:
        return found.group(1)
    record = json.loads(line)
    return record.get("type") if isinstance(record, dict) else None
