"""Per-instance log capture: what a task prints or logs goes to its own log, thread by thread."""
from __future__ import annotations

import io
import logging
import sys
import threading
import time

_local = threading.local()
_install_lock = threading.Lock()
_installed = False

#: How each log line of a task instance is formatted.
LOG_FORMAT = "[%(asctime)s] {%(name)s} %(levelname)s - %(message)s"


class _ThreadRouter(io.TextIOBase):
    """Stands in for stdout/stderr: writes go to the capturing instance of this thread, if any."""

    def __init__(self, fallback):
        self.fallback = fallback

    def write(self, text: str) -> int:
        parts = getattr(_local, "parts", None)
        if parts is not None:
            parts.append(text)
            return len(text)
        return self.fallback.write(text)

    def flush(self) -> None:
        if getattr(_local, "parts", None) is None:
            self.fallback.flush()

    def isatty(self) -> bool:
        return False


class _CaptureHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        parts = getattr(_local, "parts", None)
        if parts is not None:
            parts.append(self.format(record) + "\n")


def _install() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        sys.stdout = _ThreadRouter(sys.stdout)
        sys.stderr = _ThreadRouter(sys.stderr)
        handler = _CaptureHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        task_logger = logging.getLogger()
        task_logger.addHandler(handler)
        if task_logger.level > logging.INFO or task_logger.level == logging.NOTSET:
            logging.getLogger("chordflow.task").setLevel(logging.INFO)
        _installed = True


class LogCapture:
    """``with LogCapture() as capture:`` collects this thread's prints and log records, in order.

    Another thread may read what was collected so far (:meth:`read_from`) while the task writes:
    the text is kept as a list of the pieces written, which appending and slicing leave whole.
    """

    def __enter__(self) -> LogCapture:
        _install()
        self._previous = getattr(_local, "parts", None)
        self.parts: list[str] = []
        _local.parts = self.parts
        return self

    def __exit__(self, *exc) -> None:
        _local.parts = self._previous

    def write(self, text: str) -> None:
        self.parts.append(text)

    def log(self, message: str, level: str = "INFO") -> None:
        """A line of Chordflow's own in this log (as ``chordflow.task`` would log it, without the
        cost of a log record: two of these per instance)."""
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        self.parts.append(f"[{stamp},{int(now % 1 * 1000):03d}] {{chordflow.task}} {level} - {message}\n")

    def read_from(self, start: int) -> tuple[str, int]:
        """The text written after the first ``start`` pieces, and how many pieces there are now."""
        end = len(self.parts)
        return "".join(self.parts[start:end]), end

    @property
    def text(self) -> str:
        return "".join(self.parts)
