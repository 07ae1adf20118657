"""stdout and stderr that never crash the process: a failed write is recorded, not raised.

A reader that goes away (``check | true``, ``tree | head``), a closed descriptor
(``tree >&-``) or a full disk (``> /dev/full``) must not stop a command half-way: files it
was asked for (``--junit``) are still written, and its own outcome (checks failed: exit 1)
still decides the exit code. ``main`` asks the guarded stdout, once the command is done,
whether a write failed, and says so in one line.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, TextIO

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


@dataclass
class WriteFailure:
    """The first error a write to a standard stream met (None while all went well)."""

    error: OSError | None = None


class GuardedFile(io.RawIOBase):
    """A binary stream whose writes never raise; the first failure is kept in ``failure``.

    ``target`` is the unbuffered stream underneath (the process's own, or pytest's), None
    when it was closed before the process started.
    """

    def __init__(self, target: BinaryIO | None) -> None:
        """Write to ``target`` (None: a stream closed from the start)."""
        super().__init__()
        self.target = target
        self.failure = WriteFailure()

    def writable(self) -> bool:
        """Return True: writes are accepted, even when they cannot reach anyone."""
        return True

    def isatty(self) -> bool:
        """Return whether the stream is a terminal (never once it failed)."""
        return self.target is not None and self.failure.error is None and self.target.isatty()

    def fileno(self) -> int:
        """Return the descriptor (OSError when the stream was closed from the start)."""
        if self.target is None:
            raise OSError(errno.EBADF, "stream is closed")
        return self.target.fileno()

    def write(self, data: ReadableBuffer, /) -> int:
        """Write all of ``data``; after a failure, drop it. Return its length either way."""
        view = memoryview(data).cast("B")
        size = len(view)
        if self.failure.error is not None:
            return size
        if self.target is None:
            self.failure.error = OSError(errno.EBADF, "stdout is closed")
            return size
        try:
            while view:
                written = self.target.write(view)
                view = view[size if written is None else written :]
            self.target.flush()
        except OSError as e:
            self.failure.error = e
        return size


def _valid(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _guarded_text(like: TextIO | None) -> tuple[io.TextIOWrapper, GuardedFile]:
    # under the text stream's buffer, its raw file: nothing is left in a buffer that
    # the interpreter would try to flush at exit (and complain about) once a write failed
    buffer = getattr(like, "buffer", None)
    raw = GuardedFile(getattr(buffer, "raw", buffer))
    encoding = getattr(like, "encoding", None) or "utf-8"
    errors = getattr(like, "errors", None) or "strict"
    if not encoding.lower().replace("-", "").startswith("utf"):
        # a non-UTF-8 locale (LC_ALL=C): an odd character in a message must not crash
        # the run; drawings switch to ASCII on their own (see can_draw)
        errors = "backslashreplace"
    line_buffering = bool(getattr(like, "line_buffering", False))
    text = io.TextIOWrapper(
        io.BufferedWriter(raw), encoding=encoding, errors=errors, line_buffering=line_buffering
    )
    return text, raw


def guard_standard_streams() -> WriteFailure:
    """Replace sys.stdout and sys.stderr by guarded ones; return stdout's failure record.

    A descriptor closed before start (``>&-``, ``2>&-``) is first filled with /dev/null, so
    that no file or socket opened later takes its number and receives the output.
    """
    closed = {fd: not _valid(fd) for fd in (0, 1, 2)}
    for fd in (0, 1, 2):  # os.open takes the lowest free number: fill them in order
        if closed[fd]:
            os.open(os.devnull, os.O_RDWR)
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.flush()
    stdout, stdout_file = _guarded_text(sys.stdout)
    stderr, stderr_file = _guarded_text(sys.stderr)
    if stderr_file.target is None:  # nobody to tell anything: drop stderr's writes
        stderr_file.failure.error = OSError(errno.EBADF, "stderr is closed")
    sys.stdout, sys.stderr = stdout, stderr
    return stdout_file.failure


def finish_output(failure: WriteFailure) -> str | None:
    """Flush stdout; return why output could not be written, or None when it all went out."""
    try:
        sys.stdout.flush()
    except OSError as e:  # pragma: no cover - the guarded stdout does not raise
        failure.error = failure.error or e
    if failure.error is None:
        return None
    reason = failure.error.strerror or str(failure.error)
    return f"cannot write output: {reason[:1].lower()}{reason[1:]}"


def can_draw(out: object, sample: str = "├─└│✓") -> bool:
    """Return whether ``out`` can show ``sample`` (box drawing, by default).

    Its encoding must write it, and the user's locale must be a UTF-8 one: under
    ``LC_ALL=C`` Python writes UTF-8 all the same (its UTF-8 mode, PEP 540), which the
    terminal of a C locale shows as garbage.
    """
    encoding = getattr(out, "encoding", None) or "utf-8"
    try:
        sample.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return locale_is_utf8(os.environ)


def locale_is_utf8(environ: Mapping[str, str]) -> bool:
    """Return False when the locale the environment names has no UTF-8 character set.

    The first of LC_ALL, LC_CTYPE and LANG that is set decides, as for setlocale:
    ``C``, ``POSIX`` and ``en_US.ISO-8859-1`` are not UTF-8; ``C.UTF-8`` and
    ``en_US.utf8`` are. None set: Python itself chose (it turns the C locale into
    C.UTF-8, PEP 538), so True.
    """
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = environ.get(name)
        if value:
            codeset = value.partition(".")[2].partition("@")[0]
            return codeset.lower().replace("-", "") == "utf8"
    return True


def output_gone(out: object) -> bool:
    """Return True when ``out`` is a guarded stream that can no longer be written."""
    raw = getattr(getattr(out, "buffer", None), "raw", None)
    return isinstance(raw, GuardedFile) and raw.failure.error is not None
