"""evaluate_trigger_rule: a table checked against Airflow's TriggerRuleDep, and properties."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestrator.trigger_rules import Decision, TriggerRule, UpstreamCounts, evaluate_trigger_rule

R, W, S, U = Decision.RUN, Decision.WAIT, Decision.SKIP, Decision.UPSTREAM_FAILED


def counts(success=0, failed=0, upstream_failed=0, skipped=0, running=0) -> UpstreamCounts:
    total = success + failed + upstream_failed + skipped + running
    return UpstreamCounts(total, success, failed, upstream_failed, skipped)


# Columns: (success, failed, upstream_failed, skipped, running) of the upstream instances.
MIXES = {
    "all success": counts(success=3),
    "one failed": counts(success=2, failed=1),
    "all failed": counts(failed=3),
    "one upstream_failed": counts(success=2, upstream_failed=1),
    "all skipped": counts(skipped=3),
    "one skipped": counts(success=2, skipped=1),
    "success + running": counts(success=2, running=1),
    "failed + running": counts(failed=1, running=2),
    "skipped + running": counts(skipped=1, running=2),
    "nothing done": counts(running=3),
    "failed + skipped": counts(failed=1, skipped=2),
}

# Airflow's outcome for each rule and mix (trigger_rule_dep.py, flag_upstream_failed=True).
EXPECTED = {
    TriggerRule.ALL_SUCCESS: [R, U, U, U, S, S, W, U, S, W, U],
    TriggerRule.ALL_FAILED: [S, S, R, S, S, S, S, W, S, W, S],
    TriggerRule.ALL_DONE: [R, R, R, R, R, R, W, W, W, W, R],
    TriggerRule.ALL_DONE_MIN_ONE_SUCCESS: [R, R, U, R, S, R, W, W, W, W, U],
    TriggerRule.ALL_SKIPPED: [S, S, S, S, R, S, S, S, W, W, S],
    TriggerRule.ONE_SUCCESS: [R, R, U, R, S, R, R, W, W, W, U],
    TriggerRule.ONE_FAILED: [S, R, R, R, S, S, W, R, W, W, R],
    TriggerRule.ONE_DONE: [R, R, R, R, S, R, R, R, W, W, R],
    TriggerRule.NONE_FAILED: [R, U, U, U, R, R, W, U, W, W, U],
    TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS: [R, U, U, U, S, R, W, U, W, W, U],
    TriggerRule.NONE_SKIPPED: [R, R, R, R, S, S, W, W, S, W, S],
    TriggerRule.ALWAYS: [R] * len(MIXES),
    # Without a setup upstream, a teardown's rule is all_done (trigger_rule_dep.py).
    TriggerRule.ALL_DONE_SETUP_SUCCESS: [R, R, R, R, R, R, W, W, W, W, R],
}

CASES = [
    pytest.param(rule, mix, want, id=f"{rule.value}-{name.replace(' ', '_')}")
    for rule, outcomes in EXPECTED.items()
    for (name, mix), want in zip(MIXES.items(), outcomes, strict=True)
]


def test_the_table_covers_every_rule():
    assert set(EXPECTED) == set(TriggerRule)


@pytest.mark.parametrize("rule, mix, want", CASES)
def test_rule_outcome_matches_airflow(rule, mix, want):
    assert evaluate_trigger_rule(rule, mix) is want


@pytest.mark.parametrize("rule", list(TriggerRule))
def test_task_without_upstream_always_runs(rule):
    assert evaluate_trigger_rule(rule, UpstreamCounts()) is Decision.RUN


def test_rule_accepts_its_string_value():
    assert evaluate_trigger_rule("none_failed", counts(success=1, skipped=1)) is Decision.RUN


finished_counts = st.builds(
    lambda s, f, u, k: counts(success=s, failed=f, upstream_failed=u, skipped=k),
    st.integers(0, 5), st.integers(0, 5), st.integers(0, 5), st.integers(0, 5),
).filter(lambda c: c.total > 0)


@given(rule=st.sampled_from(list(TriggerRule)), up=finished_counts)
def test_no_rule_waits_once_every_upstream_is_done(rule, up):
    assert evaluate_trigger_rule(rule, up) is not Decision.WAIT


@given(rule=st.sampled_from(list(TriggerRule)), up=finished_counts, running=st.integers(1, 5))
def test_a_decision_taken_early_stands_when_the_rest_finish(rule, up, running):
    """Whether a task runs, decided while upstream instances still run, holds whatever they end
    as: the scheduler acts on early decisions (one_failed fires at once). Which of skipped /
    upstream_failed a task gets may depend on what finished first, as in Airflow."""
    early = UpstreamCounts(up.total + running, up.success, up.failed, up.upstream_failed, up.skipped)
    decision = evaluate_trigger_rule(rule, early)
    if decision is Decision.WAIT:
        return
    for outcome in ("success", "failed", "skipped"):
        later = counts(**{"success": up.success, "failed": up.failed, "upstream_failed": up.upstream_failed,
                          "skipped": up.skipped} | {outcome: getattr(up, outcome) + running})
        assert (evaluate_trigger_rule(rule, later) is Decision.RUN) == (decision is Decision.RUN)


@given(up=finished_counts)
def test_all_success_runs_exactly_when_everything_succeeded(up):
    ran = evaluate_trigger_rule(TriggerRule.ALL_SUCCESS, up) is Decision.RUN
    assert ran == (up.success == up.total)


@given(up=finished_counts, ratio=st.floats(0, 1))
def test_min_success_ratio_runs_when_the_share_of_successes_reaches_it(up, ratio):
    decision = evaluate_trigger_rule(TriggerRule.ALL_SUCCESS, up, min_success_ratio=ratio)
    considered = up.total - up.skipped
    if considered == 0:
        assert decision is Decision.SKIP
    else:
        assert (decision is Decision.RUN) == (up.success / considered >= ratio)
        assert decision in (Decision.RUN, Decision.UPSTREAM_FAILED)


def test_min_success_ratio_waits_for_every_instance():
    assert evaluate_trigger_rule(TriggerRule.ALL_SUCCESS, counts(success=9, running=1), 0.5) is Decision.WAIT


# all_done_setup_success, Airflow's TriggerRuleDep (flag_upstream_failed): once every upstream is
# done, "when there is an upstream setup and they have all skipped, then skip"; "if none succeeded,
# mark upstream failed; if at least one setup ran, we'll let it run". Docs (howto/setup-and-teardown):
# "A teardown task will run if its setup was successful, even if its work tasks failed. But it will
# skip if the setup was skipped."
def test_teardown_rule_runs_after_failed_work_when_its_setup_succeeded():
    up = counts(success=1).as_setups() + counts(failed=1)
    assert evaluate_trigger_rule(TriggerRule.ALL_DONE_SETUP_SUCCESS, up) is R


def test_teardown_rule_waits_for_every_upstream():
    up = counts(success=1).as_setups() + counts(running=1)
    assert evaluate_trigger_rule(TriggerRule.ALL_DONE_SETUP_SUCCESS, up) is W


def test_teardown_rule_skips_when_every_setup_was_skipped():
    up = counts(skipped=2).as_setups() + counts(skipped=1)
    assert evaluate_trigger_rule(TriggerRule.ALL_DONE_SETUP_SUCCESS, up) is S


def test_teardown_rule_is_upstream_failed_when_no_setup_succeeded():
    up = counts(failed=1, skipped=1).as_setups() + counts(upstream_failed=1)
    assert evaluate_trigger_rule(TriggerRule.ALL_DONE_SETUP_SUCCESS, up) is U


def test_teardown_rule_runs_when_one_of_several_setup_instances_succeeded():
    up = counts(success=1, failed=1).as_setups()
    assert evaluate_trigger_rule(TriggerRule.ALL_DONE_SETUP_SUCCESS, up) is R
