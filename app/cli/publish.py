"""`releasable status --format … --output FILE`: publishing the verdict where other tools read it.

The rendering is pure (app/domain/publish.py); this module owns the one piece of I/O, writing
the file atomically so a web server, CCMenu or a badge never reads half a feed: the text goes
to a temporary file in the same folder, is flushed to disk, and replaces the old file in one
`os.replace`. A failure leaves the previous file as it was and says why in one line.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class PublishError(Exception):
    """The output file could not be written; the message says which and why."""


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8) in one step; the old content stays on failure.

    The file is created with mode 0644 less the umask, as a plain `open` would, so the web
    server that publishes it can read it.
    """
    folder = path.parent if str(path.parent) else Path(".")
    tmp = folder / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as err:
        reason = err.strerror or str(err)
        raise PublishError(f"cannot write {path}: {reason}") from None


__all__ = ["PublishError", "write_atomically"]
