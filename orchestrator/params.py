"""``Param``: a DAG parameter with a default and a JSON Schema (Airflow's name); ``--conf``
overrides it, and a run is refused when a value breaks its param's schema."""
from __future__ import annotations

from typing import Any

from orchestrator.errors import BadInput, ParamValidationError


class _NoDefault:
    def __repr__(self) -> str:
        return "NOTSET"


#: A ``Param`` without a default: a run must give it in its conf.
NOTSET: Any = _NoDefault()


class Param:
    """A run parameter, as Airflow's.

    :param default: its value unless the run's conf gives one (``NOTSET``: the conf must).
    :param description: what it means (shown to people, not checked).
    :param schema: JSON Schema keywords its value must satisfy (``type="integer", minimum=1``,
        ``enum=[...]``, ...), checked with the ``jsonschema`` library when a run is submitted.
    """

    def __init__(self, default: Any = NOTSET, description: str | None = None, **schema: Any):
        self.value = default
        self.description = description
        self.schema = schema

    @property
    def has_default(self) -> bool:
        """Whether a run may leave this param out of its conf."""
        return self.value is not NOTSET

    def __repr__(self) -> str:
        return f"Param({self.value!r})"


class DagParam:
    """A parameter of a ``@dag`` function, which the function receives in place of its value
    (Airflow's ``DagParam``): the DAG param of that name, its default the function's, resolved
    when each instance runs -- the run's ``--conf`` value when it gives one.

    :param name: the DAG param's name.
    """

    def __init__(self, name: str):
        self.name = name

    def resolve(self, params: dict[str, Any]) -> Any:
        """Its value among a run's resolved ``params``."""
        return params.get(self.name)

    def __repr__(self) -> str:
        return f"DagParam({self.name!r})"


def resolve_params(params: dict[str, Any], conf: dict[str, Any]) -> dict[str, Any]:
    """The run's params: DAG defaults (``Param`` objects unwrapped), overridden by ``conf``."""
    resolved = {key: (value.value if value.has_default else None) if isinstance(value, Param) else value
                for key, value in params.items()}
    resolved.update(conf)
    return resolved


def default_params(params: dict[str, Any]) -> dict[str, Any]:
    """What a run gets without a conf: each param's default (params without one left out)."""
    return {key: value.value if isinstance(value, Param) else value for key, value in params.items()
            if not isinstance(value, Param) or value.has_default}


def validate_task_params(params: dict[str, Any], conf: dict[str, Any]) -> None:
    """Check a task's own ``Param`` objects against the run's ``conf`` (or their defaults) when an
    instance starts, as Airflow's task context does (``process_params``): the run was created
    against the DAG's params only. Raises :class:`ParamValidationError` naming the param and rule."""
    own = {name: value for name, value in params.items() if isinstance(value, Param)}
    if own:
        try:
            validate_conf(own, conf)
        except BadInput as exc:
            raise ParamValidationError(str(exc)) from None


def validate_conf(params: dict[str, Any], conf: dict[str, Any]) -> None:
    """Refuse a run whose params -- ``conf`` over the defaults -- break a ``Param``'s schema, or
    leave out a param without default, as Airflow does when a run is triggered. Raises
    :class:`BadInput` naming the param and the rule (conf keys that are no param pass, as in Airflow)."""
    for name, param in params.items():
        if not isinstance(param, Param):
            continue
        if name in conf:
            value = conf[name]
        elif param.has_default:
            value = param.value
        else:
            raise BadInput(f"param {name!r} is required: it has no default, give it in the run's conf")
        if not param.schema:
            continue
        import jsonschema  # (on first use: a tenth of every command's start otherwise)

        try:
            jsonschema.validate(value, param.schema, format_checker=jsonschema.FormatChecker())
        except jsonschema.ValidationError as exc:
            raise BadInput(f"param {name!r}: {exc.message} (rule {exc.validator}: {exc.validator_value!r})") from None
        except jsonschema.SchemaError as exc:
            raise BadInput(f"param {name!r} of the DAG has an invalid schema: {exc.message}") from None
