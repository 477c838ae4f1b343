"""PythonSensor: a sensor whose poke is a Python function."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from typing_extensions import override

from orchestrator.operators.python import call_with_context, set_callable
from orchestrator.sensors.base import BaseSensorOperator, PokeReturnValue


class PythonSensor(BaseSensorOperator):
    """Poke by calling ``python_callable(*op_args, **op_kwargs)`` until it returns a true value or
    a done :class:`PokeReturnValue` (Airflow's ``airflow.sensors.python.PythonSensor``).

    :param python_callable: the function to call at each poke.
    :param op_args: positional arguments (templated).
    :param op_kwargs: keyword arguments (templated); context entries the function names are added.
    :param templates_dict: a dict of templates rendered and passed as ``templates_dict``.

    The sensor's own arguments are :class:`BaseSensorOperator`'s.
    """

    template_fields: ClassVar[tuple[str, ...]] = ("op_args", "op_kwargs", "templates_dict")

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        op_args: list[Any] | tuple[Any, ...] | None = None,
        op_kwargs: dict[str, Any] | None = None,
        templates_dict: dict[str, Any] | None = None,
        **kwargs: Any,
    ):
        set_callable(self, python_callable, op_args, op_kwargs, templates_dict, kwargs.get("task_id"))
        super().__init__(**kwargs)

    @override
    def poke(self, context: dict[str, Any]) -> bool | PokeReturnValue:
        result = call_with_context(self, context)
        return result if isinstance(result, PokeReturnValue) else bool(result)


class DecoratedSensorOperator(PythonSensor):
    """What ``@task.sensor`` builds: a PythonSensor whose arguments came from calling the function.

    :param multiple_outputs: push each key of a returned dict as its own XCom too (default False).
    """

    #: What ``@task.sensor(...)`` accepts beyond the operator arguments.
    decorator_options: ClassVar[frozenset[str]] = frozenset(
        {"poke_interval", "timeout", "soft_fail", "silent_fail", "never_fail", "mode", "exponential_backoff",
         "max_wait"})

    def __init__(self, *, multiple_outputs: bool = False, **kwargs: Any):
        self.multiple_outputs = multiple_outputs
        super().__init__(**kwargs)
