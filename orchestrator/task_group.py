"""Task groups: a prefix for task ids, and (when expanded) one chain of tasks per map index."""
from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from typing_extensions import override

from orchestrator.dependency import DependencyMixin
from orchestrator.errors import DagDefinitionError
from orchestrator.identifiers import validate_group_key

if TYPE_CHECKING:
    from orchestrator.baseoperator import DAGNode
    from orchestrator.dag import DAG
    from orchestrator.expand_input import ExpandInput

_group_stack: list[TaskGroup] = []


class TaskGroup(DependencyMixin):
    """A set of tasks whose ids are prefixed with ``group_id.``.

    :param group_id: the group's name (``None`` only for a DAG's root group).
    :param dag: the DAG it belongs to (default: the active one).
    :param parent_group: the enclosing group (default: the active one).
    :param prefix_group_id: prefix child task ids with ``group_id.`` (default ``True``).
    :param default_args: defaults of the tasks inside, over the DAG's (and enclosing groups').
    :param tooltip: what Airflow's UI shows of the group (kept; no UI here), as ``ui_color`` and
        ``ui_fgcolor``.
    """

    def __init__(
        self,
        group_id: str | None,
        dag: DAG | None = None,
        parent_group: TaskGroup | None = None,
        prefix_group_id: bool = True,
        default_args: dict[str, Any] | None = None,
        tooltip: str = "",
        ui_color: str = "CornflowerBlue",
        ui_fgcolor: str = "#000",
    ):
        from orchestrator.dag import current_dag

        self.dag = dag or current_dag()
        self.prefix_group_id = prefix_group_id
        self.default_args = dict(default_args or {})
        self.tooltip, self.ui_color, self.ui_fgcolor = tooltip, ui_color, ui_fgcolor
        self.children: dict[str, Any] = {}
        self._group_id = group_id
        if group_id is None:
            self.parent_group = None
            return
        validate_group_key(group_id)
        if self.dag is None:
            raise DagDefinitionError(f"task group {group_id!r} is created outside a DAG")
        self.parent_group = parent_group or current_task_group(self.dag)
        self.parent_group.add_child(self)

    @property
    def group_id(self) -> str | None:
        """The group's full id (prefixed by its enclosing groups'); ``None`` for the root group."""
        if self._group_id is None:
            return None
        parent_prefix = self.parent_group.child_prefix if self.parent_group else ""
        return parent_prefix + self._group_id

    def task_defaults(self) -> dict[str, Any]:
        """The default arguments of a task in this group: the DAG's, then each enclosing group's."""
        outer = self.parent_group.task_defaults() if self.parent_group else dict(self.dag.default_args)
        return {**outer, **self.default_args}

    @property
    def child_prefix(self) -> str:
        """What the ids of the tasks inside start with: ``group_id.`` (nothing for the root)."""
        return f"{self.group_id}." if self.group_id and self.prefix_group_id else ""

    @property
    def is_root(self) -> bool:
        """Whether this is the DAG's root group (no id)."""
        return self._group_id is None

    def add_child(self, child: Any) -> None:
        """Add a task or a group; :class:`DagDefinitionError` when its id is taken here."""
        key = child.group_id if isinstance(child, TaskGroup) else child.task_id
        if key in self.children:
            where = "the DAG" if self.is_root else f"task group {self.group_id!r}"
            raise DagDefinitionError(f"task id {key!r} appears twice in {where}")
        self.children[key] = child

    def iter_tasks(self):
        """Every task inside, nested groups included."""
        for child in self.children.values():
            if isinstance(child, TaskGroup):
                yield from child.iter_tasks()
            else:
                yield child

    def roots(self) -> list[DAGNode]:
        """Tasks of the group with no upstream inside the group."""
        ids = {t.task_id for t in self.iter_tasks()}
        return [t for t in self.iter_tasks() if not (t.upstream_task_ids & ids)]

    def leaves(self) -> list[DAGNode]:
        """Tasks of the group with no downstream inside the group."""
        ids = {t.task_id for t in self.iter_tasks()}
        return [t for t in self.iter_tasks() if not (t.downstream_task_ids & ids)]

    def mapped_ancestor(self) -> MappedTaskGroup | None:
        """This group if it is mapped, else the nearest mapped group enclosing it (``None``: none)."""
        group: TaskGroup | None = self
        while group is not None:
            if isinstance(group, MappedTaskGroup):
                return group
            group = group.parent_group
        return None

    def __enter__(self) -> TaskGroup:
        _group_stack.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _group_stack.pop()

    # A group in ``>>`` stands for its roots (as a downstream) or its leaves (as an upstream).
    @override
    def tasks_as_downstream(self) -> Iterator[DAGNode]:
        return iter(self.roots())

    @override
    def tasks_as_upstream(self) -> Iterator[DAGNode]:
        return iter(self.leaves_for_dependencies())

    def leaves_for_dependencies(self) -> list[DAGNode]:
        """The leaves ``group >> task`` links, teardowns ignored as Airflow's ``TaskGroup.get_leaves``
        does: a teardown leaf stands for its nearest upstream work tasks in the group (not its setups)."""
        tasks = {t.task_id: t for t in self.iter_tasks()}

        def other_work_downstream(task: DAGNode, exclude: str) -> bool:
            return any(d != exclude and d in tasks and not tasks[d].is_teardown for d in task.downstream_task_ids)

        def work_before(teardown: DAGNode) -> Iterator[DAGNode]:
            for up in sorted(teardown.upstream_task_ids & set(tasks)):
                node = tasks[up]
                if node.is_teardown:
                    yield from work_before(node)
                elif not node.is_setup and not other_work_downstream(node, teardown.task_id):
                    yield node

        found: dict[str, DAGNode] = {}
        for leaf in self.leaves():
            for node in (work_before(leaf) if leaf.is_teardown else [leaf]):
                found.setdefault(node.task_id, node)
        return list(found.values())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.group_id!r}>"


class MappedTaskGroup(TaskGroup):
    """A task group expanded over ``expand_input``: every task inside runs once per map index,
    and a task reading a sibling's output reads the sibling's instance at the same index."""

    def __init__(self, group_id: str, expand_input: ExpandInput, **kwargs):
        super().__init__(group_id, **kwargs)
        self.expand_input = expand_input
        if self.parent_group and self.parent_group.mapped_ancestor() is not None:
            raise DagDefinitionError(f"task group {group_id!r}: a mapped task group cannot be nested in another")


class MappedArgument:
    """The value of a mapped task group's parameter ``name``, different at each map index.

    :param default: the group function's default for the parameter, used when an
        ``expand_kwargs()`` dict leaves it out (``inspect.Parameter.empty``: none).
    """

    def __init__(self, group: MappedTaskGroup, name: str, default: Any = inspect.Parameter.empty):
        self.group = group
        self.name = name
        self.default = default

    def pick(self, kwargs: dict[str, Any], map_index: int) -> Any:
        """This parameter's value among the mapped keyword arguments of instance ``map_index``;
        ``TypeError`` naming it when they leave it out and it has no default."""
        if self.name in kwargs:
            return kwargs[self.name]
        if self.default is not inspect.Parameter.empty:
            return self.default
        raise TypeError(f"expand_kwargs() element {map_index} of task group {self.group.group_id!r} has no key "
                       f"{self.name!r}, and that parameter has no default")

    def __repr__(self) -> str:
        return f"MappedArgument({self.group.group_id!r}, {self.name!r})"


def current_task_group(dag: DAG) -> TaskGroup:
    """The innermost group being declared in ``dag`` (its root group outside any)."""
    for group in reversed(_group_stack):
        if group.dag is dag:
            return group
    return dag.task_group
