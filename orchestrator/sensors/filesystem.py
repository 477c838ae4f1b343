"""FileSensor: wait for a file, or a folder with files in it, at a local path or any fsspec URL."""
from __future__ import annotations

import logging
from typing import Any, ClassVar

from typing_extensions import override

from orchestrator.operators.storage import filesystem
from orchestrator.sensors.base import BaseSensorOperator

log = logging.getLogger("chordflow.task")


class FileSensor(BaseSensorOperator):
    """Done when ``filepath`` matches a file, or a folder holding at least one file (Airflow's
    ``airflow.sensors.filesystem.FileSensor``, over fsspec: ``/landing/*.csv``, ``s3://bucket/in/``).

    :param filepath: a path or URL; glob patterns allowed (templated).
    :param recursive: ``**`` in ``filepath`` matches any number of folders (default False).
    :param storage_options: passed to fsspec (credentials, endpoint, ...).
    :param fs_conn_id: accepted for Airflow DAG files; the URL says where the file is.

    The sensor's own arguments are :class:`~orchestrator.sensors.base.BaseSensorOperator`'s.
    """

    template_fields: ClassVar[tuple[str, ...]] = ("filepath",)

    def __init__(self, *, filepath: str, recursive: bool = False, storage_options: dict[str, Any] | None = None,
                 fs_conn_id: str | None = None, **kwargs: Any):
        self.filepath = filepath
        self.recursive = recursive
        self.storage_options = storage_options
        self.fs_conn_id = fs_conn_id
        super().__init__(**kwargs)

    @override
    def poke(self, context: dict[str, Any]) -> bool:
        fs, path = filesystem(self.filepath, self.storage_options)
        fs.invalidate_cache()  # fsspec caches listings per process: each poke looks afresh
        log.info("Poking for file %s", self.filepath)
        pattern = path if self.recursive else path.replace("**", "*")
        matches = fs.glob(pattern) if any(c in pattern for c in "*?[") else ([path] if fs.exists(path) else [])
        for match in matches:
            if fs.isfile(match):
                log.info("Found File %s", match)
                return True
            if fs.isdir(match) and any(fs.isfile(found) for found in fs.find(match)):
                log.info("Found a file in folder %s", match)
                return True
        return False
