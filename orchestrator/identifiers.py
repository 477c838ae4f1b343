"""What a DAG id, task id and task group id may be made of: Airflow's rules
(``airflow.utils.helpers.validate_key`` / ``validate_group_key``), checked when the DAG file loads.

A task id may hold dots (a group's tasks are ``group.task``); a group id may not, the dot being
what separates it from its tasks' own ids.
"""
from __future__ import annotations

import re

from orchestrator.errors import BadInput, DagDefinitionError

#: Airflow's ``KEY_REGEX``: DAG and task ids.
KEY_REGEX = re.compile(r"^[\w.-]+$")
#: Airflow's ``GROUP_KEY_REGEX``: task group ids.
GROUP_KEY_REGEX = re.compile(r"^[\w-]+$")
#: Longest DAG or task id (Airflow's ``validate_key`` default, and the store's column width).
MAX_KEY_LENGTH = 250
#: Longest task group id (Airflow's ``validate_group_key``).
MAX_GROUP_KEY_LENGTH = 200
#: What a run id given by a user may be made of: Airflow's ``[scheduler] allowed_run_id_pattern``
#: default (every run id Chordflow makes matches it too), so it is safe in a URL path.
RUN_ID_REGEX = re.compile(r"^[A-Za-z0-9_.~:+-]+$")


def validate_key(kind: str, key: object, max_length: int = MAX_KEY_LENGTH) -> None:
    """Refuse a ``kind`` id (``"dag_id"``, ``"task_id"``) that is not a non-empty string of
    letters, digits, underscores, dashes and dots of at most ``max_length`` characters; raises
    :class:`DagDefinitionError` naming it."""
    if not isinstance(key, str) or not key:
        raise DagDefinitionError(f"{kind} must be a non-empty string, got {key!r}")
    if len(key) > max_length:
        raise DagDefinitionError(f"{kind} {key[:40]!r}... is {len(key)} characters long: at most {max_length}")
    if not KEY_REGEX.match(key):
        raise DagDefinitionError(f"{kind} {key!r} has to be made of alphanumeric characters, dashes, dots and "
                                 "underscores exclusively")


def validate_run_id(run_id: str) -> None:
    """Refuse a run id that does not match :data:`RUN_ID_REGEX` or is longer than the store's
    column (:data:`MAX_KEY_LENGTH`), as Airflow's ``DagRun.validate_run_id``; raises :class:`BadInput`."""
    if len(run_id) > MAX_KEY_LENGTH:
        raise BadInput(f"run id {run_id[:40]!r}... is {len(run_id)} characters long: at most {MAX_KEY_LENGTH}")
    if not RUN_ID_REGEX.match(run_id):
        raise BadInput(f"run id {run_id!r} does not match the pattern {RUN_ID_REGEX.pattern!r} "
                       "(letters, digits and _ . ~ : + - only: Airflow's allowed_run_id_pattern)")


def validate_group_key(group_id: object) -> None:
    """Refuse a task group id that is not a non-empty string of letters, digits, underscores and
    dashes (no dots) of at most :data:`MAX_GROUP_KEY_LENGTH` characters."""
    if not isinstance(group_id, str) or not group_id:
        raise DagDefinitionError(f"task group id must be a non-empty string, got {group_id!r}")
    if len(group_id) > MAX_GROUP_KEY_LENGTH:
        raise DagDefinitionError(f"task group id {group_id[:40]!r}... is {len(group_id)} characters long: "
                                 f"at most {MAX_GROUP_KEY_LENGTH}")
    if not GROUP_KEY_REGEX.match(group_id):
        raise DagDefinitionError(f"task group id {group_id!r} has to be made of alphanumeric characters, dashes "
                                 "and underscores exclusively")


def next_free_id(core: str, taken: set[str] | dict[str, object], prefix: str = "") -> str:
    """``core``, or ``core__N`` with N one more than the highest suffix ``prefix + core__<n>`` already
    taken (Airflow's ``get_unique_task_id``: a task used again after ``step__5`` is ``step__6``);
    a ``__<n>`` that ``core`` ends with is replaced."""
    if prefix + core not in taken:
        return core
    base = re.split(r"__\d+$", core)[0]
    pattern = re.compile(rf"^{re.escape(prefix + base)}__(\d+)$")
    highest = max((int(match.group(1)) for name in taken if (match := pattern.match(name))), default=0)
    return f"{base}__{highest + 1}"
