"""Trigger rules: one pure function from (rule, upstream state counts) to a decision.

Each rule reads the states of *every* instance of every direct upstream (a mapped upstream counts
once per expanded index; a map expanded to zero counts as one ``skipped``). The table below is
Airflow's ``TriggerRuleDep`` (``flag_upstream_failed=True``) written as data; check it against
https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/dags.html#trigger-rules

=============================  =================================  ==========================================
rule                           runs when                          gives up (state set) when
=============================  =================================  ==========================================
all_success                    success == total                   failed/upstream_failed -> upstream_failed;
                                                                  else skipped -> skipped
all_failed                     failed + upstream_failed == total  success or skipped -> skipped
all_done                       done == total                      never
all_done_min_one_success       done == total and success >= 1     done, all skipped -> skipped;
                                                                  done, success == 0 -> upstream_failed
all_skipped                    skipped == total                   success/failed/upstream_failed -> skipped
one_success                    success >= 1                       done, all skipped -> skipped;
                                                                  done, success == 0 -> upstream_failed
one_failed                     failed + upstream_failed >= 1      done, none failed -> skipped
one_done                       success + failed >= 1              done, none success/failed -> skipped
none_failed                    success + skipped == total         failed/upstream_failed -> upstream_failed
none_failed_min_one_success    success + skipped == total         failed/upstream_failed -> upstream_failed;
                                                                  skipped == total -> skipped
none_skipped                   done == total and skipped == 0     skipped -> skipped
always                         at once                            never
all_done_setup_success         done == total and (no setup        done, every setup skipped -> skipped;
                               upstream or one setup succeeded)   done, no setup succeeded -> upstream_failed
=============================  =================================  ==========================================

``all_done_setup_success`` is a teardown's rule (Airflow's ``as_teardown()`` sets it): the
``setup*`` counts are the upstream instances of setup tasks (Airflow's ``TriggerRuleDep``:
``skipped_setup >= upstream_setup`` -> skipped, ``success_setup == 0`` -> upstream_failed).

``all_done_min_one_success`` follows Airflow's documentation (skipped upstreams count as done,
apache/airflow#59925), and ends skipped like ``one_success`` when every upstream was skipped.

Beyond Airflow, ``min_success_ratio`` (on the downstream task) tolerates a partly failed map: the
task waits until every upstream instance is done, then runs when ``success / (total - skipped)``
reaches the ratio; all skipped -> skipped; below the ratio -> upstream_failed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import Enum

from orchestrator.states import StrEnum
from orchestrator.states import TaskInstanceState as TI


class TriggerRule(StrEnum):
    """When a task runs, given the states of its direct upstream instances."""

    ALL_SUCCESS = "all_success"
    ALL_FAILED = "all_failed"
    ALL_DONE = "all_done"
    ALL_DONE_MIN_ONE_SUCCESS = "all_done_min_one_success"
    ALL_SKIPPED = "all_skipped"
    ONE_SUCCESS = "one_success"
    ONE_FAILED = "one_failed"
    ONE_DONE = "one_done"
    NONE_FAILED = "none_failed"
    NONE_FAILED_MIN_ONE_SUCCESS = "none_failed_min_one_success"
    NONE_SKIPPED = "none_skipped"
    ALWAYS = "always"
    ALL_DONE_SETUP_SUCCESS = "all_done_setup_success"



class Decision(str, Enum):
    """What the scheduler does with a task instance after evaluating its trigger rule."""

    WAIT = "wait"
    RUN = "run"
    SKIP = "skipped"
    UPSTREAM_FAILED = "upstream_failed"


@dataclass(frozen=True)
class UpstreamCounts:
    """How many upstream instances are in each finished state, and how many there are in all."""

    total: int = 0
    success: int = 0
    failed: int = 0
    upstream_failed: int = 0
    skipped: int = 0
    removed: int = 0
    #: Of these, the instances of setup tasks (``all_done_setup_success`` reads them).
    setups: int = 0
    setup_success: int = 0
    setup_skipped: int = 0

    def as_setups(self) -> UpstreamCounts:
        """These counts, all of them counted as instances of setup tasks too."""
        return replace(self, setups=self.total, setup_success=self.success, setup_skipped=self.skipped)

    @property
    def done(self) -> int:
        """Upstream instances that ended, whatever their state."""
        return self.success + self.failed + self.upstream_failed + self.skipped + self.removed

    @classmethod
    def from_states(cls, states: Iterable[str]) -> UpstreamCounts:
        """The counts of these instance states (one per upstream instance)."""
        counts: dict[str, int] = {}
        total = 0
        for state in states:
            total += 1
            counts[str(state)] = counts.get(str(state), 0) + 1
        return cls.from_mapping(counts, total)

    @classmethod
    def from_mapping(cls, counts: Mapping[str, int], total: int | None = None) -> UpstreamCounts:
        """The counts of ``{state: count}`` (``total``: every instance, by default their sum)."""
        return cls(
            total=sum(counts.values()) if total is None else total,
            success=counts.get(TI.SUCCESS.value, 0),
            failed=counts.get(TI.FAILED.value, 0),
            upstream_failed=counts.get(TI.UPSTREAM_FAILED.value, 0),
            skipped=counts.get(TI.SKIPPED.value, 0),
            removed=counts.get(TI.REMOVED.value, 0),
        )

    def __add__(self, other: UpstreamCounts) -> UpstreamCounts:
        return UpstreamCounts(
            self.total + other.total,
            self.success + other.success,
            self.failed + other.failed,
            self.upstream_failed + other.upstream_failed,
            self.skipped + other.skipped,
            self.removed + other.removed,
            self.setups + other.setups,
            self.setup_success + other.setup_success,
            self.setup_skipped + other.setup_skipped,
        )


def evaluate_trigger_rule(
    rule: TriggerRule | str, up: UpstreamCounts, min_success_ratio: float | None = None
) -> Decision:
    """Decide whether a task instance runs now, waits, or ends ``skipped``/``upstream_failed``.

    A task without upstream instances (``up.total == 0``) always runs.
    """
    rule = TriggerRule(rule)
    if up.total == 0 or rule is TriggerRule.ALWAYS:
        return Decision.RUN
    if min_success_ratio is not None:
        return _evaluate_success_ratio(up, min_success_ratio)
    all_done = up.done >= up.total
    failures = up.failed + up.upstream_failed

    if rule is TriggerRule.ALL_SUCCESS:
        if failures:
            return Decision.UPSTREAM_FAILED
        if up.skipped:
            return Decision.SKIP
        return Decision.RUN if up.success + up.removed >= up.total else Decision.WAIT
    if rule is TriggerRule.ALL_FAILED:
        if up.success or up.skipped:
            return Decision.SKIP
        return Decision.RUN if failures + up.removed >= up.total else Decision.WAIT
    if rule is TriggerRule.ALL_DONE:
        return Decision.RUN if all_done else Decision.WAIT
    if rule is TriggerRule.ALL_DONE_SETUP_SUCCESS:
        if not all_done:
            return Decision.WAIT
        if up.setups and up.setup_skipped >= up.setups:
            return Decision.SKIP
        return Decision.UPSTREAM_FAILED if up.setups and not up.setup_success else Decision.RUN
    if rule is TriggerRule.ALL_DONE_MIN_ONE_SUCCESS:
        if not all_done:
            return Decision.WAIT
        if up.success:
            return Decision.RUN
        return Decision.SKIP if up.skipped >= up.total else Decision.UPSTREAM_FAILED
    if rule is TriggerRule.ALL_SKIPPED:
        if up.success or failures:
            return Decision.SKIP
        return Decision.RUN if up.skipped + up.removed >= up.total else Decision.WAIT
    if rule is TriggerRule.ONE_SUCCESS:
        if up.success:
            return Decision.RUN
        if all_done:
            return Decision.SKIP if up.done == up.skipped else Decision.UPSTREAM_FAILED
        return Decision.WAIT
    if rule is TriggerRule.ONE_FAILED:
        if failures:
            return Decision.RUN
        return Decision.SKIP if all_done else Decision.WAIT
    if rule is TriggerRule.ONE_DONE:
        if up.success + up.failed:
            return Decision.RUN
        return Decision.SKIP if all_done else Decision.WAIT
    if rule is TriggerRule.NONE_FAILED:
        if failures:
            return Decision.UPSTREAM_FAILED
        return Decision.RUN if up.success + up.skipped + up.removed >= up.total else Decision.WAIT
    if rule is TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS:
        if failures:
            return Decision.UPSTREAM_FAILED
        if up.skipped >= up.total:
            return Decision.SKIP
        return Decision.RUN if up.success + up.skipped + up.removed >= up.total else Decision.WAIT
    if rule is TriggerRule.NONE_SKIPPED:
        if up.skipped:
            return Decision.SKIP
        return Decision.RUN if all_done else Decision.WAIT
    raise AssertionError(f"unhandled trigger rule {rule}")  # pragma: no cover - every member is above


def _evaluate_success_ratio(up: UpstreamCounts, ratio: float) -> Decision:
    if up.done < up.total:
        return Decision.WAIT
    considered = up.total - up.skipped - up.removed
    if considered <= 0:
        return Decision.SKIP
    return Decision.RUN if up.success / considered >= ratio else Decision.UPSTREAM_FAILED
