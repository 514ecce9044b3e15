"""Open an input file only as the regular file it was listed as: never through a link, never blocking.

Every reader (CSV, XML, XLSX, the hash, reference uploads) opens its file through here, so a
file swapped for a symbolic link, a FIFO or a device after the listing is refused instead of
followed or waited on. `O_NOFOLLOW` refuses a link in the last part of the path; `O_NONBLOCK`
lets the open of a FIFO return at once, and is cleared again for a regular file so that reads
behave as usual. What is refused raises `NotRegular`, an OSError the readers already treat as
"this file cannot be read".
"""

from __future__ import annotations

import fcntl
import os
import stat
from pathlib import Path
from typing import BinaryIO


class NotRegular(OSError):
    """The path is no longer a regular file (a link, a pipe, a device, a directory)."""


def open_regular(path: Path | str) -> BinaryIO:
    """The file at `path` opened for binary reading, or NotRegular."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if os.path.islink(path):
            raise NotRegular("replaced by a symbolic link since it was listed; not followed") from None
        raise exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegular("no longer a regular file since it was listed; not read")
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    return os.fdopen(fd, "rb")
