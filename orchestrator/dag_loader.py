"""Finding and importing DAG files (Airflow's DagBag, small)."""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from orchestrator.dag import DAG, collecting_dags, stop_collecting
from orchestrator.errors import BadInput, ChordflowError, DagImportError, DagNotFound

_import_lock = threading.Lock()


_CANNOT_IMPORT = re.compile(r"cannot import name '(?P<name>\w+)' from '(?P<module>orchestrator(\.\w+)*)'")


def _missing_airflow_name(exc: BaseException) -> str | None:
    """For an import of an ``orchestrator.*`` module or name that does not exist -- an Airflow import
    path with ``airflow`` changed to ``orchestrator``, Chordflow lacks --, one line naming it as not
    supported by Chordflow; ``None`` for any other error."""
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").startswith("orchestrator."):
        return f"{exc.name} is not supported by Chordflow (Airflow's airflow{exc.name[len('orchestrator'):]})"
    match = _CANNOT_IMPORT.match(str(exc)) if isinstance(exc, ImportError) else None
    if match:
        name, module = match["name"], match["module"]
        return (f"{name} of {module} is not supported by Chordflow "
                f"(Airflow's airflow{module[len('orchestrator'):]}.{name})")
    return None


def import_dag_file(path: Path) -> list[DAG]:
    """Import one DAG file and return the DAGs it declared (validated: no cycles)."""
    path = path.resolve()
    if not path.is_file():
        raise DagNotFound(f"DAG file {str(path)!r} does not exist")
    module_name = "chordflow_dag_" + hashlib.sha1(str(path).encode()).hexdigest()[:12]
    with _import_lock:
        collector = collecting_dags()
        try:
            spec = importlib.util.spec_from_file_location(module_name, path)
            if spec is None or spec.loader is None:
                raise DagImportError(f"{path}: not a Python file")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except ChordflowError as exc:
                sys.modules.pop(module_name, None)
                raise type(exc)(f"{path.name}: {exc}") from exc
            except Exception as exc:
                sys.modules.pop(module_name, None)
                line = _line_in(path, exc)
                why = _missing_airflow_name(exc) or f"the DAG file does not import: {type(exc).__name__}: {exc}"
                raise DagImportError(f"{path.name}{line}: {why}") from exc
        finally:
            stop_collecting(collector)
    seen: dict[str, DAG] = {}
    for dag in collector:
        dag.fileloc = str(path)
        dag.validate()
        seen[dag.dag_id] = dag
    return list(seen.values())


def _line_in(path: Path, exc: BaseException) -> str:
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f":{exc.lineno}"
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f":{line}" if line else ""


@dataclass
class _Loaded:
    mtime: float
    dags: dict[str, DAG]


class DagBag:
    """DAG files under a folder, imported on demand and kept while the file is unchanged.

    :param dags_folder: where DAG files live (``CHORDFLOW_DAGS_FOLDER``).
    """

    def __init__(self, dags_folder: Path):
        self.dags_folder = dags_folder
        self._files: dict[Path, _Loaded] = {}
        self._resolved: dict[str, Path] = {}
        self._lock = threading.Lock()

    def fileloc_for(self, path: Path) -> str:
        """What a run records as its DAG file: relative to the DAGs folder when inside it."""
        path = path.resolve()
        try:
            return str(path.relative_to(self.dags_folder))
        except ValueError:
            return str(path)

    def resolve_fileloc(self, fileloc: str) -> Path:
        """The path a run's recorded ``fileloc`` names (relative ones: in the DAGs folder)."""
        path = Path(fileloc)
        return path if path.is_absolute() else self.dags_folder / path

    def load_file(self, path: Path) -> dict[str, DAG]:
        """``{dag_id: DAG}`` of a DAG file (cached while unchanged); :class:`DagImportError` when it
        does not import, :class:`DagDefinitionError` when a DAG in it is refused."""
        return self._load_resolved(path.resolve())

    def _load_resolved(self, path: Path) -> dict[str, DAG]:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            raise DagNotFound(f"DAG file {str(path)!r} does not exist") from None
        with self._lock:
            loaded = self._files.get(path)
            if loaded is None or loaded.mtime != mtime:
                loaded = _Loaded(mtime, {d.dag_id: d for d in import_dag_file(path)})
                self._files[path] = loaded
        return loaded.dags

    def get_dag(self, fileloc: str, dag_id: str) -> DAG:
        """The DAG a run refers to, from the file it recorded."""
        path = self._resolved.get(fileloc)
        if path is None:  # resolving a path costs a system call per folder: once per fileloc
            path = self._resolved[fileloc] = self.resolve_fileloc(fileloc).resolve()
        dags = self._load_resolved(path)
        if dag_id not in dags:
            raise DagNotFound(f"DAG {dag_id!r} is not declared in {fileloc!r}")
        return dags[dag_id]

    def iter_files(self) -> list[Path]:
        """The Python files of the DAGs folder, sorted (none when it does not exist)."""
        if not self.dags_folder.is_dir():
            return []
        return sorted(
            Path(root) / name
            for root, _dirs, names in os.walk(self.dags_folder)
            for name in names
            if name.endswith(".py") and not name.startswith((".", "_"))
        )

    def collect(self) -> tuple[dict[str, DAG], dict[str, str]]:
        """Every DAG in the folder, and the import error of each file that failed."""
        dags: dict[str, DAG] = {}
        errors: dict[str, str] = {}
        for path in self.iter_files():
            try:
                dags.update(self.load_file(path))
            except ChordflowError as exc:
                errors[str(path)] = str(exc)
        return dags, errors

    def find(self, dag_file_or_id: str, dag_id: str | None = None) -> DAG:
        """``chordflow run``'s argument: a DAG file path, or a DAG id in the DAGs folder."""
        candidate = Path(dag_file_or_id)
        if candidate.is_dir():
            raise BadInput(f"{dag_file_or_id} is a directory: give a DAG file or a DAG id "
                           "(the DAGs folder is CHORDFLOW_DAGS_FOLDER)")
        if candidate.suffix == ".py" or candidate.exists():
            dags = self.load_file(candidate)
            if not dags:
                raise DagNotFound(f"{dag_file_or_id}: the file declares no DAG")
            if dag_id:
                if dag_id not in dags:
                    raise DagNotFound(f"{dag_file_or_id}: no DAG {dag_id!r} in it (it has {', '.join(sorted(dags))})")
                return dags[dag_id]
            if len(dags) > 1:
                raise DagNotFound(
                    f"{dag_file_or_id} declares several DAGs ({', '.join(sorted(dags))}): choose one with --dag-id"
                )
            return next(iter(dags.values()))
        wanted = dag_id or dag_file_or_id
        dags, errors = self.collect()
        if wanted not in dags:
            # A file named like the DAG id that does not import most likely declares it: say why.
            named = {Path(path).stem: error for path, error in errors.items()}
            if wanted in named:
                raise DagImportError(f"DAG {wanted!r} not loaded: {named[wanted]}")
            hint = (f"{len(errors)} file(s) there do not import: `chordflow dags list` shows why" if errors
                    else "see `chordflow dags list`")
            raise DagNotFound(f"no DAG file or DAG id {dag_file_or_id!r} (looked in {self.dags_folder}; {hint})")
        return dags[wanted]
