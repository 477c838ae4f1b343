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
        buffer = getattr(_local, "buffer", None)
        if buffer is not None:
            return buffer.write(text)
        return self.fallback.write(text)

    def flush(self) -> None:
        if getattr(_local, "buffer", None) is None:
            self.fallback.flush()

    def isatty(self) -> bool:
        return False


class _CaptureHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        buffer = getattr(_local, "buffer", None)
        if buffer is not None:
            buffer.write(self.format(record) + "\n")


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
    """``with LogCapture() as capture:`` collects this thread's prints and log records."""

    def __enter__(self) -> LogCapture:
        _install()
        self._previous = getattr(_local, "buffer", None)
        self.buffer = io.StringIO()
        _local.buffer = self.buffer
        return self

    def __exit__(self, *exc) -> None:
        _local.buffer = self._previous

    def write(self, text: str) -> None:
        self.buffer.write(text)

    def log(self, message: str, level: str = "INFO") -> None:
        """A line of Chordflow's own in this log (as ``chordflow.task`` would log it, without the
        cost of a log record: two of these per instance)."""
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        self.buffer.write(f"[{stamp},{int(now % 1 * 1000):03d}] {{chordflow.task}} {level} - {message}\n")

    @property
    def text(self) -> str:
        return self.buffer.getvalue()
