"""Object storage through fsspec: a local folder, ``file://``, ``s3://`` (with s3fs installed),
or any other fsspec URL. Copy and delete objects by prefix; mappable like every operator."""
from __future__ import annotations

import logging
import posixpath
from typing import Any, ClassVar

from typing_extensions import override

from orchestrator.baseoperator import BaseOperator
from orchestrator.errors import DagDefinitionError

log = logging.getLogger("chordflow.task")


def filesystem(url: str, storage_options: dict[str, Any] | None = None):
    """``(fs, path)`` of a URL or local path."""
    import fsspec

    return fsspec.core.url_to_fs(url, **(storage_options or {}))


def open_url(url: str, mode: str = "rb", storage_options: dict[str, Any] | None = None):
    """An open file object for ``url`` (any fsspec URL: a local path, ``s3://...``)."""
    import fsspec

    return fsspec.open(url, mode, **(storage_options or {})).open()


def _join(fs, base: str, path: str) -> str:
    """``path`` as a URL of ``fs`` (local paths stay paths)."""
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return path if protocol in ("file", "local") and "://" not in base else fs.unstrip_protocol(path)


def list_objects(prefix: str, storage_options: dict[str, Any] | None = None) -> list[str]:
    """Every object under ``prefix`` (a folder, or a key prefix on S3), sorted; none when it does not exist."""
    fs, path = filesystem(prefix, storage_options)
    if not fs.exists(path):
        return []
    if fs.isfile(path):
        return [_join(fs, prefix, path)]
    return sorted(_join(fs, prefix, found) for found in fs.find(path))


class CopyObjectsOperator(BaseOperator):
    """Copy every object under ``source`` to ``destination``, keeping their paths below it
    (as Airflow's ``S3CopyObjectOperator``, for a whole prefix). Copying the same objects again
    overwrites them, so a retry is harmless. The XCom is the number of objects copied.

    :param source: a folder / prefix, or one object (templated).
    :param destination: the folder / prefix they go under (templated).
    :param storage_options: passed to fsspec for both ends.
    """

    template_fields: ClassVar[tuple[str, ...]] = ("source", "destination")

    def __init__(self, *, source: str, destination: str, storage_options: dict[str, Any] | None = None,
                 **kwargs: Any):
        self.source = source
        self.destination = destination
        self.storage_options = storage_options or {}
        super().__init__(**kwargs)

    @override
    def execute(self, context: dict[str, Any]) -> int:
        src_fs, src_root = filesystem(self.source, self.storage_options)
        dst_fs, dst_root = filesystem(self.destination, self.storage_options)
        if not src_fs.exists(src_root):
            log.info("Nothing to copy: %s does not exist", self.source)
            return 0
        found = [src_root] if src_fs.isfile(src_root) else sorted(src_fs.find(src_root))
        base = posixpath.dirname(src_root) if src_fs.isfile(src_root) else src_root.rstrip("/")
        for path in found:
            relative = path[len(base):].lstrip("/")
            target = f"{dst_root.rstrip('/')}/{relative}"
            dst_fs.makedirs(posixpath.dirname(target), exist_ok=True)
            if src_fs is dst_fs:
                src_fs.copy(path, target)
            else:
                with src_fs.open(path, "rb") as reader, dst_fs.open(target, "wb") as writer:
                    while chunk := reader.read(1 << 20):
                        writer.write(chunk)
            log.info("Copied %s to %s", path, target)
        return len(found)


class DeleteObjectsOperator(BaseOperator):
    """Delete the given objects, or everything under ``prefix`` (Airflow's
    ``S3DeleteObjectsOperator``). What is already gone is not an error, so a retry is harmless.
    The XCom is the number of objects deleted.

    :param objects: object URLs (templated).
    :param prefix: a folder / prefix to delete with all it holds (templated).
    :param storage_options: passed to fsspec.
    """

    template_fields: ClassVar[tuple[str, ...]] = ("objects", "prefix")

    def __init__(self, *, objects: list[str] | str | None = None, prefix: str | None = None,
                 storage_options: dict[str, Any] | None = None, **kwargs: Any):
        if (objects is None) == (prefix is None):
            raise DagDefinitionError(f"task {kwargs.get('task_id')!r}: give either objects or prefix")
        self.objects = objects
        self.prefix = prefix
        self.storage_options = storage_options or {}
        super().__init__(**kwargs)

    @override
    def execute(self, context: dict[str, Any]) -> int:
        if self.prefix is not None:
            fs, root = filesystem(self.prefix, self.storage_options)
            if not fs.exists(root):
                log.info("Nothing to delete: %s does not exist", self.prefix)
                return 0
            count = 1 if fs.isfile(root) else len(fs.find(root))
            fs.rm(root, recursive=True)
            log.info("Deleted %s (%d object(s))", self.prefix, count)
            return count
        count = 0
        for url in [self.objects] if isinstance(self.objects, str) else list(self.objects or []):
            fs, path = filesystem(url, self.storage_options)
            if fs.exists(path):
                fs.rm(path)
                count += 1
                log.info("Deleted %s", url)
        return count
