"""Command line: argument parsing, logging, progress and exit codes; the work is elsewhere.

Exit status: 0 every release succeeded, 1 some failed (their count on stderr), 2 usage error.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Optional, Sequence

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
Read earnings press releases (SEC 8-K Exhibit 99.1, plain text, EDGAR full submissions or HTML),
pull every quantitative claim from their prose and check it against their financial tables.

commands:
  extract   claims, quotes, table facts and errors as JSONL (stdout or --out FILE)
  facts     only the table facts (and integrity checks) as JSONL
  run       the main job: extract, reconcile, store, and write claims.jsonl, report.md,
            report.html, claims.csv and store.sqlite into --out DIR
  report    rebuild report.md, report.html and claims.csv of DIR from its store.sqlite
"""

INPUT_HELP = ("release files, directories (searched recursively for .txt/.htm/.html), "
              "glob patterns, or - for standard input")


def add_batch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="PATH", help=INPUT_HELP)
    parser.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                        help="worker processes (default: all cores; 1 runs in this process)")
    parser.add_argument("--engine", choices=("local", "dask"), default="local",
                        help="local process pool (default) or a Dask distributed cluster")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 "
                             "(with --engine dask; without it a local cluster is started)")
    parser.add_argument("--resume", action="store_true",
                        help="skip releases already in the output (matched by content hash)")
    parser.add_argument("--max-bytes", type=int, default=None, metavar="N",
                        help="refuse releases larger than N bytes (an error record each)")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="give up on a release after this many seconds (an error record)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no summary")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="extractor", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    extract = commands.add_parser("extract", help="claims, quotes, facts and errors as JSONL",
                                  description="Extract every record of the releases as JSONL.")
    add_batch_options(extract)
    extract.add_argument("--out", "-o", metavar="FILE",
                         help="JSONL file to write (atomically); default: standard output")
    facts = commands.add_parser("facts", help="table facts and integrity checks as JSONL",
                                description="Parse the financial tables only, as JSONL facts.")
    add_batch_options(facts)
    facts.add_argument("--out", "-o", metavar="FILE", help="JSONL file; default: standard output")
    run = commands.add_parser("run", help="the main job: extract, reconcile, store and report",
                              description="Extract, reconcile (also against the issuer's releases "
                                          "already in the store), store and write the reports.")
    add_batch_options(run)
    run.add_argument("--out", "-o", metavar="DIR", required=True,
                     help="output folder for claims.jsonl, report.md, report.html, "
                          "claims.csv and store.sqlite")
    run.add_argument("--store", metavar="FILE",
                     help="SQLite store to add to (default: DIR/store.sqlite)")
    report = commands.add_parser("report", help="rebuild the reports of a run folder from its store",
                                 description="Rebuild report.md, report.html and claims.csv.")
    report.add_argument("folder", metavar="DIR", help="a folder written by `extractor run`")
    return parser


def configure_logging(quiet: bool) -> None:
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="extractor: %(message)s", stream=sys.stderr)
    logging.getLogger("distributed").setLevel(logging.WARNING)  # Dask's own chatter


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    configure_logging(getattr(args, "quiet", False))
    from . import commands
    try:
        return commands.dispatch(args)
    except (commands.UsageError, commands.batch.ResumeError) as error:
        parser.error(str(error))
        return EXIT_USAGE
    except BrokenPipeError:
        # the reader (`| head`) left: not an error of ours; keep Python from complaining at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("extractor: interrupted; finished releases were written", file=sys.stderr)
        return 130
