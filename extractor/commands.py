"""What each CLI command does, over the batch, store and report modules."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from contextlib import closing
from pathlib import Path
from typing import Iterable, Iterator

from . import batch

log = logging.getLogger("extractor")

EXIT_OK, EXIT_FAILED = 0, 1
FACT_TYPES = {"release", "fact", "check", "error"}


class UsageError(ValueError):
    """Bad arguments: the CLI prints the message with its usage line and exits 2."""


def batch_options(args: argparse.Namespace) -> batch.BatchOptions:
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.scheduler and args.engine != "dask":
        raise UsageError("--scheduler goes with --engine dask")
    defaults = batch.BatchOptions()
    return batch.BatchOptions(
        jobs=args.jobs or defaults.jobs, engine=args.engine, scheduler=args.scheduler,
        resume=args.resume, max_bytes=args.max_bytes or defaults.max_bytes,
        timeout=args.timeout or defaults.timeout, quiet=args.quiet,
        progress=not args.quiet and sys.stderr.isatty(),
    )


def finish(summary: batch.Summary, quiet: bool) -> int:
    if summary.failed:
        print(f"extractor: {summary.failed} of {summary.total} releases failed "
              f"(see the error records)", file=sys.stderr)
        return EXIT_FAILED
    if not quiet:
        log.info("%d releases, %d records written", summary.total, summary.written)
    return EXIT_OK


def only_types(texts: Iterable[str], types: set) -> Iterator[str]:
    """The lines of JSONL texts whose records are of the given types."""
    return (line for text in texts for line in text.splitlines(keepends=True)
            if batch.type_of(line) in types)


def extract(args: argparse.Namespace, types: set | None = None) -> int:
    options = batch_options(args)
    if args.resume and not args.out:
        raise UsageError("--resume needs --out FILE")
    inputs = batch.collect_inputs(args.inputs)
    text = batch.run_batch_text(inputs, options, out_path=args.out)
    if types:
        text = only_types(text, types)
    summary = batch.write_jsonl(text, args.out)
    return finish(summary, args.quiet)


def run(args: argparse.Namespace) -> int:
    from . import report, store
    options = batch_options(args)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    jsonl = out_dir / "claims.jsonl"
    inputs = batch.collect_inputs(args.inputs)
    with closing(store.open_store(Path(args.store) if args.store else out_dir / "store.sqlite")) as conn:
        records = list(batch.run_batch(inputs, options, out_path=str(jsonl),
                                       history=lambda issuer: store.issuer_facts(conn, issuer)))
        summary = batch.write_jsonl(records, str(jsonl))
        store.save_records(conn, records)
    report.write_reports(records, out_dir, texts=release_texts(records))
    return finish(summary, args.quiet)


def release_texts(records: Iterable[dict]) -> dict:
    """The clean text of each release (markup blanked, offsets kept), read again from its path,
    for the highlighted HTML report."""
    from .document import ReleaseError, read_release
    texts = {}
    for record in records:
        path = record.get("path") if record.get("type") == "release" else None
        if path and path != "-" and os.path.isfile(path):
            try:
                texts[record["doc"]] = read_release(Path(path)).clean
            except (ReleaseError, OSError):
                continue
    return texts


def rebuild_report(args: argparse.Namespace) -> int:
    from . import report, store
    folder = Path(args.folder)
    database = folder / "store.sqlite"
    if not database.is_file():
        raise UsageError(f"{database} does not exist: run `extractor run ... --out {folder}` first")
    with closing(store.open_store(database)) as conn:
        records = store.load_records(conn)
    report.write_reports(records, folder, texts=release_texts(records))
    return EXIT_OK


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "extract":
        return extract(args)
    if args.command == "facts":
        return extract(args, FACT_TYPES)
    if args.command == "run":
        return run(args)
    return rebuild_report(args)
