"""Every error Chordflow raises on purpose, in one place."""


class ChordflowError(Exception):
    """Base class: an error whose message is fit to show a user as one line."""


class DagDefinitionError(ChordflowError):
    """A DAG file declares something Chordflow refuses (cycle, unmappable parameter, duplicate id, ...)."""


class UnsupportedDecorator(DagDefinitionError, AttributeError):
    """A decorator or method Airflow has and Chordflow does not (``@task.docker``); an
    AttributeError too, so that ``hasattr`` and ``getattr(..., default)`` keep their meaning."""


class UnsupportedName(DagDefinitionError):
    """A class or function Airflow has at one of its import paths and Chordflow does not
    (``from orchestrator.operators.python import PythonVirtualenvOperator``). Not an AttributeError:
    ``from ... import`` would turn that into a bare ImportError."""


def refuse_unsupported(module: str, unsupported: dict[str, str]):
    """A module ``__getattr__`` that refuses each name of ``unsupported`` in one line (naming it and
    why, the dict's value) and raises the usual AttributeError for any other missing name."""

    def __getattr__(name: str):
        if name in unsupported:
            raise UnsupportedName(f"{name} is not supported by Chordflow ({unsupported[name]})")
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__


class DagImportError(ChordflowError):
    """A DAG file could not be imported."""


class DagNotFound(ChordflowError):
    """No DAG with that id or file."""


class UnmappableXComError(ChordflowError):
    """A task returned a value that a downstream ``expand()`` cannot map over."""


class XComForMappingNotPushed(ChordflowError):
    """A task feeding a downstream ``expand()`` pushed nothing to map over (Airflow's name): a
    failure of the try, retried while tries are left, as in Airflow."""


class XComNotFound(ChordflowError):
    """A task reads a value another task never pushed (Airflow's ``XComNotFound``)."""


class RunNotFound(ChordflowError):
    """No run with that id."""


class TaskNotFound(ChordflowError):
    """No task (or map index) with that id in a run."""


class RunStateError(ChordflowError):
    """The run is not in a state the command acts on: cancelling an ended run, deleting a running one."""


class DuplicateRunError(ChordflowError):
    """A run with that id exists already."""


class ParamValidationError(ChordflowError):
    """A task's own ``Param`` refuses the value its run gives it (Airflow's name): the try fails."""


class BadInput(ChordflowError):
    """A command-line value that cannot be used as given."""


class SkipTask(ChordflowError):  # noqa: N818 - named like Airflow's AirflowSkipException
    """Raised by task code: this instance ends ``skipped`` instead of ``success``."""


class FailTask(ChordflowError):  # noqa: N818 - named like Airflow's AirflowFailException
    """Raised by task code: this instance ends ``failed`` at once, without its remaining retries."""


class AirflowSkipException(SkipTask):
    """:class:`SkipTask` under Airflow's name (``airflow.exceptions``), which the error and the
    callbacks' ``context["exception"]`` then show; what Chordflow itself raises to skip (a bash
    exit code, a soft-failing sensor) is this one too, as in Airflow."""


class AirflowFailException(FailTask):
    """:class:`FailTask` under Airflow's name (``airflow.exceptions``)."""


class RescheduleTask(ChordflowError):  # noqa: N818 - named like Airflow's AirflowRescheduleException
    """Raised by a sensor in reschedule mode: this instance gives its worker slot back and is
    poked again after ``delay`` seconds, in the same try (state ``up_for_reschedule``).

    :param delay: seconds until the next poke.
    """

    def __init__(self, delay: float):
        super().__init__(f"not done yet: poked again in {delay:g} s")
        self.delay = delay


class TaskTimeout(Exception):
    """The try ran longer than its task's ``execution_timeout`` (Airflow's ``AirflowTaskTimeout``)."""


class SensorTimeout(FailTask):
    """A sensor's condition was not met within its ``timeout`` (Airflow's ``AirflowSensorTimeout``):
    the instance fails at once, without its remaining retries."""
