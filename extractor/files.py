"""Files written whole or not at all: a temporary file beside the target, renamed over it.

Shared by the JSONL writer and the reports, so a reader never sees half an output and an
interrupted run leaves the previous file as it was."""
from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO


@contextmanager
def atomic_output(target: Path) -> Iterator[TextIO]:
    """A text stream whose content replaces `target` when the block ends; on Ctrl-C what was
    written so far is kept (valid JSONL up to the last record), on any other error nothing."""
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    stream = open(temp, "x", encoding="utf-8", newline="\n")
    try:
        yield stream
    except KeyboardInterrupt:
        settle_output(stream, temp, target, commit=stream.tell() > 0)
        raise
    except BaseException:
        settle_output(stream, temp, target, commit=False)
        raise
    settle_output(stream, temp, target, commit=True)


def settle_output(stream: TextIO, temp: Path, target: Path, commit: bool) -> None:
    """Rename the finished temp file over the target, durably; or throw it away."""
    if not commit:
        stream.close()
        temp.unlink(missing_ok=True)
        return
    stream.flush()
    os.fsync(stream.fileno())
    stream.close()
    os.replace(temp, target)
    sync_folder(target.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); where a folder cannot be opened, there is nothing to do."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def write_atomic(path: Path, text: str) -> None:
    with atomic_output(Path(path)) as stream:
        stream.write(text)
