"""BashOperator: run a shell command; its last line of output is the task's XCom."""
from __future__ import annotations

import contextlib
import logging
import os
import selectors
import signal
import subprocess
import tempfile
from collections.abc import Callable, Container, Iterator
from pathlib import Path
from typing import Any, ClassVar

from typing_extensions import override

from orchestrator.baseoperator import BaseOperator
from orchestrator.errors import AirflowSkipException
from orchestrator.operators.python import context_kwargs

log = logging.getLogger("chordflow.task")

#: Seconds a stopped command gets to exit after SIGTERM before its process group is killed.
KILL_AFTER = 5.0



def worker_environment() -> dict[str, str]:
    """The worker's environment a command runs in, with ``AIRFLOW_HOME`` set to Chordflow's home
    (``CHORDFLOW_HOME``, default ``~/.chordflow``) when the worker's environment lacks it: Airflow's
    workers have it, and Airflow's bash commands write under it (``mkdir -p $AIRFLOW_HOME/...``)."""
    env = dict(os.environ)
    if not env.get("AIRFLOW_HOME"):
        env["AIRFLOW_HOME"] = str(Path(env.get("CHORDFLOW_HOME") or "~/.chordflow").expanduser())
    return env

def airflow_context_env(context: dict[str, Any]) -> dict[str, str]:
    """Airflow's ``AIRFLOW_CTX_*`` variables of a try (``context_to_airflow_vars``), which a
    command gets whatever its ``env``: DAG, task and run ids, logical date and try number."""
    ti = context.get("ti")
    logical_date = context.get("logical_date")
    found = {
        "AIRFLOW_CTX_DAG_ID": getattr(ti, "dag_id", None),
        "AIRFLOW_CTX_TASK_ID": getattr(ti, "task_id", None),
        "AIRFLOW_CTX_EXECUTION_DATE": logical_date.isoformat() if logical_date is not None else None,
        "AIRFLOW_CTX_TRY_NUMBER": str(ti.try_number) if ti is not None else None,
        "AIRFLOW_CTX_DAG_RUN_ID": context.get("run_id"),
    }
    return {name: value for name, value in found.items() if value}


class BashOperator(BaseOperator):
    """Run ``bash_command`` with ``bash -c``; stdout and stderr go to the task log.

    :param bash_command: the command (templated; one ending in ``.sh`` or ``.bash`` names a
        template file, as in Airflow: end it with a space to run it as it is).
    :param env: environment of the command (templated; default: the worker's environment);
        Airflow's ``AIRFLOW_CTX_*`` variables are added either way.
    :param append_env: add ``env`` to the worker's environment instead of replacing it (default False).
    :param cwd: working directory (default: a new temporary directory for the try, removed after it,
        as Airflow's ``SubprocessHook``).
    :param skip_on_exit_code: exit code(s) that end the instance ``skipped`` (default 99).
    :param output_encoding: how the output is decoded (default utf-8).
    :param output_processor: what the last line of output goes through before it is returned and
        pushed (Airflow 2.10; default: the line as it is).
    """

    template_fields: ClassVar[tuple[str, ...]] = ("bash_command", "env", "cwd")
    template_ext: ClassVar[tuple[str, ...]] = (".sh", ".bash")

    def __init__(
        self,
        *,
        bash_command: str,
        env: dict[str, str] | None = None,
        append_env: bool = False,
        cwd: str | None = None,
        skip_on_exit_code: int | Container[int] | None = 99,
        output_encoding: str = "utf-8",
        output_processor: Callable[[str], Any] | None = None,
        **kwargs: Any,
    ):
        self.bash_command = bash_command
        self.env = env
        self.append_env = append_env
        self.cwd = cwd
        if isinstance(skip_on_exit_code, int):
            skip_on_exit_code = [skip_on_exit_code]
        self.skip_on_exit_code = list(skip_on_exit_code or [])
        self.output_encoding = output_encoding
        self.output_processor = output_processor
        super().__init__(**kwargs)

    @override
    def execute(self, context: dict[str, Any]) -> Any:
        env = worker_environment()
        if self.env is not None:
            env = {**env, **self.env} if self.append_env else dict(self.env)
        env.update(airflow_context_env(context))
        with contextlib.ExitStack() as stack:
            cwd = self.cwd if self.cwd is not None else stack.enter_context(
                tempfile.TemporaryDirectory(prefix="airflowtmp"))
            exit_code, last_line = self._run(env, cwd)
        if exit_code in self.skip_on_exit_code:
            raise AirflowSkipException(f"Bash command returned exit code {exit_code}. Skipping.")
        if exit_code != 0:
            raise RuntimeError(f"Bash command failed. The command returned a non-zero exit code {exit_code}.")
        return last_line if self.output_processor is None else self.output_processor(last_line)

    def _run(self, env: dict[str, str], cwd: str) -> tuple[int, str | None]:
        """Run the command in ``cwd``, its output to the task log; its exit code and last line."""
        log.info("Running command: %s", self.bash_command)
        proc = subprocess.Popen(
            ["bash", "-c", self.bash_command],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        last_line = None
        assert proc.stdout is not None
        try:
            for raw in _lines(proc.stdout):
                last_line = raw.decode(self.output_encoding, errors="replace").rstrip("\n")
                log.info("%s", last_line)
            exit_code = proc.wait()
        except BaseException:  # a timeout or a stop: the command and what it started end with the try
            _end_process_group(proc)
            raise
        log.info("Command exited with return code %s", exit_code)
        return exit_code, last_line


class DecoratedBashOperator(BashOperator):
    """What ``@task.bash`` builds: the function, called with its arguments (and the context
    entries it names), returns the command; the command is rendered as a template with the
    instance's context and run as :class:`BashOperator` runs ``bash_command``.

    :param python_callable: the function returning the command.
    :param op_args: positional arguments (templated).
    :param op_kwargs: keyword arguments (templated).
    :param multiple_outputs: accepted as ``@task`` takes it (the XCom is the last line of output).

    The other arguments are :class:`BashOperator`'s.
    """

    template_fields: ClassVar[tuple[str, ...]] = ("op_args", "op_kwargs", "env", "cwd")
    template_ext: ClassVar[tuple[str, ...]] = ()  # (its command is made by its function, rendered at execute)

    #: What ``@task.bash(...)`` accepts beyond the operator arguments.
    decorator_options: ClassVar[frozenset[str]] = frozenset(
        {"env", "append_env", "cwd", "skip_on_exit_code", "output_encoding"})

    def __init__(self, *, python_callable, op_args: list[Any] | tuple[Any, ...] | None = None,
                 op_kwargs: dict[str, Any] | None = None, multiple_outputs: bool = False, **kwargs: Any):
        self.python_callable = python_callable
        self.op_args = list(op_args or [])
        self.op_kwargs = dict(op_kwargs or {})
        self.multiple_outputs = multiple_outputs
        super().__init__(bash_command="", **kwargs)

    @override
    def execute(self, context: dict[str, Any]) -> str | None:
        from orchestrator.context import render_template

        kwargs = {**self.op_kwargs, **context_kwargs(self.python_callable, self.op_kwargs, context)}
        command = self.python_callable(*self.op_args, **kwargs)
        if not isinstance(command, str) or not command.strip():
            raise TypeError(f"the @task.bash function {self.python_callable.__name__!r} must return a non-empty "
                            f"string (the command), not {command!r}")
        self.bash_command = render_template(command, context)
        return super().execute(context)


def _end_process_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the command's process group; SIGKILL to what is left of it once the command
    exited or :data:`KILL_AFTER` seconds passed (a command may ignore SIGTERM, or leave children)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=KILL_AFTER)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _lines(stream) -> Iterator[bytes]:
    """The lines of a pipe as they come, waking at least every 0.1 s: a task on a worker thread
    gets its execution_timeout (raised between Python instructions) while the command is silent."""
    fd = stream.fileno()
    pending = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            if not selector.select(timeout=0.1):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line + b"\n"
    if pending:
        yield pending
