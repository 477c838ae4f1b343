"""Pools, per-task and per-DAG concurrency limits and priority weights (orchestrator/admission.py):
Airflow's weight rules, the admission decision, the store's admission, the DAG-file checks and
``chordflow pools``. The limits on real worker hosts: tests/test_limits_distributed.py."""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestrator import DAG, task
from orchestrator.admission import Candidate, SlotLimits, choose_admitted
from orchestrator.errors import DagDefinitionError
from orchestrator.operators import BashOperator
from orchestrator.states import TaskInstanceState as TI
from orchestrator.weight_rule import WeightRule, priority_weights
from tests.conftest import OWN_ACCEPTANCE, run_cli
from tests.harness import Harness, claim, finish

# -- Airflow's weight rules -------------------------------------------------------------------------


def diamond(rule: str, weights: dict[str, int] | None = None) -> DAG:
    """a >> [b, c] >> d, plus a lone e: each task's priority_weight from ``weights`` (default 1)."""
    weights = weights or {}
    with DAG("diamond", start_date=datetime(2022, 1, 1)) as dag:
        ops = {name: BashOperator(task_id=name, bash_command="true", weight_rule=rule,
                                  priority_weight=weights.get(name, 1)) for name in "abcde"}
        ops["a"] >> [ops["b"], ops["c"]] >> ops["d"]
    return dag


def test_downstream_is_the_default_rule_and_sums_every_descendant_once():
    """Airflow's docs: "the effective weight of the task is the aggregate sum of all downstream
    descendants" (with its own); d is reached twice from a but counted once."""
    with DAG("d", start_date=datetime(2022, 1, 1)) as dag:
        only = BashOperator(task_id="only", bash_command="true")
    assert (only.priority_weight, only.weight_rule) == (1, WeightRule.DOWNSTREAM.value)
    assert priority_weights(dag) == {"only": 1}
    assert priority_weights(diamond("downstream")) == {"a": 4, "b": 2, "c": 2, "d": 1, "e": 1}
    assert priority_weights(diamond("downstream", {"a": 1, "b": 10, "d": 100})) == {
        "a": 112, "b": 110, "c": 101, "d": 100, "e": 1}


def test_upstream_sums_every_ancestor_and_absolute_is_the_own_weight():
    assert priority_weights(diamond("upstream")) == {"a": 1, "b": 2, "c": 2, "d": 4, "e": 1}
    assert priority_weights(diamond("upstream", {"a": 5, "d": 2})) == {"a": 5, "b": 6, "c": 6, "d": 9, "e": 1}
    assert priority_weights(diamond("absolute", {"a": 7, "b": -3})) == {"a": 7, "b": -3, "c": 1, "d": 1, "e": 1}


def test_a_weight_beyond_32_bits_is_clamped_as_airflow_does():
    """Airflow 2.9's ``db_safe_priority``: the column is a 32-bit integer."""
    huge = priority_weights(diamond("downstream", {"d": 2**31 - 1}))
    assert huge["a"] == huge["d"] == 2**31 - 1
    assert priority_weights(diamond("absolute", {"a": -(2**40)}))["a"] == -(2**31)


@pytest.mark.parametrize(("options", "words"), [
    ({"pool_slots": 0}, "pool_slots must be a whole number of at least 1"),
    ({"priority_weight": "high"}, "priority_weight must be a whole number"),
    ({"weight_rule": "sideways"}, "unknown weight_rule 'sideways'"),
    ({"max_active_tis_per_dag": 0}, "max_active_tis_per_dag must be a whole number of at least 1"),
    ({"max_active_tis_per_dagrun": 1.5}, "max_active_tis_per_dagrun must be"),
    ({"pool": ""}, "pool must be a pool's name"),
])
def test_bad_limits_are_refused_when_the_dag_loads_naming_task_and_argument(options, words):
    with pytest.raises(DagDefinitionError, match=f"task 't': {words}"), DAG("d", start_date=datetime(2022, 1, 1)):
        BashOperator(task_id="t", bash_command="true", **options)


def test_limits_reach_mapped_tasks_and_task_concurrency_is_the_older_name():
    with DAG("d", start_date=datetime(2022, 1, 1), max_active_tasks=3) as dag:
        @task(max_active_tis_per_dagrun=2, max_active_tis_per_dag=4, pool="api", pool_slots=2)
        def call(x):
            return x

        call.expand(x=[1, 2])
        @task(task_concurrency=5)
        def single(x):
            return x

        single = single(1).operator
    mapped = dag.task_dict["call"]
    assert (mapped.max_active_tis_per_dagrun, mapped.max_active_tis_per_dag) == (2, 4)
    assert (mapped.pool, mapped.pool_slots, dag.max_active_tasks) == ("api", 2, 3)
    assert single.max_active_tis_per_dag == 5
    # Airflow 2.10's partial() / _TaskDecorator._expand refuse the older name on a mapped task
    with DAG("e", start_date=datetime(2022, 1, 1)), pytest.raises(DagDefinitionError, match="task_concurrency"):
        call.override(max_active_tis_per_dag=None, task_concurrency=4).expand(x=[1])
    with pytest.raises(DagDefinitionError, match="max_active_tasks must be a whole number of at least 1"):
        DAG("d", max_active_tasks=0)


# -- the admission decision ---------------------------------------------------------------------------
def group(task_id, count=1, weight=1, run="r1", day=1, state=TI.SCHEDULED, **limits):
    """``count`` instances of ``task_id`` in run ``run``, in ``state``, with these limits."""
    limits = {"dag_id": "d", "pool": "default_pool", **limits}
    return Candidate(run, task_id, state.value, datetime(2022, 1, day), SlotLimits(priority_weight=weight, **limits),
                     count)


def admitted(groups, pools=None):
    return [(g.run_id, g.task_id, n) for g, n in choose_admitted(groups, pools or {"default_pool": -1})]


def test_a_pool_admits_up_to_its_open_slots_and_pool_slots_counts():
    pools = {"default_pool": -1, "p": 3}
    holding = group("t", state=TI.RUNNING, pool="p")
    assert admitted([holding, group("t", 3, pool="p")], pools) == [("r1", "t", 2)]
    # A wide instance that does not fit is passed over; a narrower one after it still gets the slot.
    assert admitted([holding, group("wide", weight=9, pool="p", pool_slots=3), group("t", pool="p")],
                    pools) == [("r1", "t", 1)]
    assert admitted([group("wide", 5, pool="p", pool_slots=2)], pools) == [("r1", "wide", 1)]


def test_every_slot_holding_state_counts_and_an_unknown_pool_admits_nothing():
    """Here an instance waiting for its retry or its sensor's next poke keeps its slot (it goes
    back to running without admission); Airflow frees it."""
    pools = {"default_pool": -1, "p": 4}
    holders = [group("t", state=s, pool="p") for s in (TI.QUEUED, TI.RUNNING, TI.UP_FOR_RETRY, TI.UP_FOR_RESCHEDULE)]
    assert admitted([*holders, group("t", pool="p")], pools) == []
    assert admitted([group("t", pool="gone")], pools) == []


def test_per_run_per_dag_and_max_active_tasks():
    assert admitted([group("t", 2, run=r, per_run=1) for r in ("r1", "r2")]) == [("r1", "t", 1), ("r2", "t", 1)]
    assert admitted([group("t", 2, run=r, per_dag=3) for r in ("r1", "r2")]) == [("r1", "t", 2), ("r2", "t", 1)]
    dag_wide = [group("t", dag_tasks=2, state=TI.RUNNING), group("u", 4, dag_tasks=2), group("v", dag_tasks=2)]
    assert admitted(dag_wide) == [("r1", "u", 1)]
    other_dag = group("t", dag_id="other", per_dag=1)  # a limit per DAG counts that DAG's runs only
    assert admitted([group("t", per_dag=1, state=TI.RUNNING), other_dag]) == [("r1", "t", 1)]


def test_the_highest_priority_weight_first_then_the_oldest_run():
    """Airflow's order (``_executable_task_instances_to_queued``): ``-priority_weight``, logical
    date, map index (within a group, the store takes the lowest map indices first)."""
    pools = {"default_pool": -1, "p": 4}
    found = admitted([group("low", weight=1, pool="p"), group("t", 5, weight=5, run="new", day=2, pool="p"),
                      group("t", 2, weight=5, run="old", day=1, pool="p"), group("high", weight=10, pool="p")], pools)
    assert found == [("r1", "high", 1), ("old", "t", 2), ("new", "t", 1)]


_HOLDING_STATES = [TI.QUEUED, TI.RUNNING, TI.UP_FOR_RETRY, TI.UP_FOR_RESCHEDULE]
_maybe_limit = st.none() | st.integers(1, 4)
_groups = st.lists(st.builds(
    group, task_id=st.sampled_from(["t", "u"]), count=st.integers(1, 5), weight=st.integers(-2, 3),
    run=st.sampled_from(["r1", "r2", "r3"]), state=st.sampled_from([TI.SCHEDULED, *_HOLDING_STATES]),
    pool=st.sampled_from(["p", "q", "default_pool"]), pool_slots=st.integers(1, 3),
    per_dag=_maybe_limit, per_run=_maybe_limit, dag_tasks=_maybe_limit), max_size=8)


def _usage(groups_and_counts):
    """Slots per pool, instances per (dag, task), (run, task) and dag."""
    use = {"pool": {}, "per_dag": {}, "per_run": {}, "dag_tasks": {}}
    for g, n in groups_and_counts:
        for kind, key, amount in (("pool", g.limits.pool, n * g.limits.pool_slots),
                                  ("per_dag", (g.limits.dag_id, g.task_id), n), ("per_run", (g.run_id, g.task_id), n),
                                  ("dag_tasks", g.limits.dag_id, n)):
            use[kind][key] = use[kind].get(key, 0) + amount
    return use


def _consistent(groups):
    """The groups as a DAG file makes them: a run belongs to one DAG (r1, r2 to d; r3 to e), and
    every group of a DAG / task has the same max_active_tasks / per-task limits (the first's)."""
    first_of_dag, first_of_task, made = {}, {}, []
    for g in groups:
        dag_id = "e" if g.run_id == "r3" else "d"
        dag_limits = first_of_dag.setdefault(dag_id, g.limits)
        task_limits = first_of_task.setdefault((dag_id, g.task_id), g.limits)
        limits = dataclasses.replace(g.limits, dag_id=dag_id, dag_tasks=dag_limits.dag_tasks,
                                     per_dag=task_limits.per_dag, per_run=task_limits.per_run)
        made.append(dataclasses.replace(g, limits=limits))
    return made


@given(_groups, st.integers(0, 6), st.integers(-1, 6))
def test_admission_never_breaks_a_limit_that_held_and_leaves_no_instance_that_would_fit(groups, p_size, q_size):
    groups = _consistent(groups)
    pools = {"default_pool": -1, "p": p_size, "q": q_size}
    chosen = choose_admitted(groups, pools)
    holding = [(g, g.count) for g in groups if g.state != TI.SCHEDULED.value]
    before, after = _usage(holding), _usage(holding + chosen)
    assert all(1 <= n <= g.count and g.state == TI.SCHEDULED.value for g, n in chosen)

    def room(g, use, n=1):
        """Whether ``n`` more instances of ``g`` fit every limit, given ``use``."""
        lim, size = g.limits, pools[g.limits.pool]
        return ((size == -1 or use["pool"].get(lim.pool, 0) + n * lim.pool_slots <= size)
                and (lim.per_dag is None or use["per_dag"].get((lim.dag_id, g.task_id), 0) + n <= lim.per_dag)
                and (lim.per_run is None or use["per_run"].get((g.run_id, g.task_id), 0) + n <= lim.per_run)
                and (lim.dag_tasks is None or use["dag_tasks"].get(lim.dag_id, 0) + n <= lim.dag_tasks))

    for g, _n in chosen:
        assert room(g, before, 0)  # a limit its holders already exceed admits none of its group
        lim = g.limits
        if pools[lim.pool] != -1:
            assert after["pool"][lim.pool] <= max(pools[lim.pool], before["pool"].get(lim.pool, 0))
        for kind, key, most in (("per_dag", (lim.dag_id, g.task_id), lim.per_dag),
                                ("per_run", (g.run_id, g.task_id), lim.per_run),
                                ("dag_tasks", lim.dag_id, lim.dag_tasks)):
            if most is not None:
                assert after[kind][key] <= max(most, before[kind].get(key, 0))
    admitted_of = {id(g): n for g, n in chosen}
    for g in groups:  # maximal: no waiting instance left out would still fit
        if g.state == TI.SCHEDULED.value and admitted_of.get(id(g), 0) < g.count:
            assert not room(g, after)


# -- the store's admission ------------------------------------------------------------------------------
LIMITED = """
@task(max_active_tis_per_dagrun=2)
def call(x):
    return x

@task
def free(x):
    return x

@dag(dag_id="limited", start_date=datetime(2022, 1, 1))
def limited():
    call.expand(x=[0, 1, 2, 3, 4])
    free.expand(x=[0, 1])

limited()
"""


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_store_schedules_limited_instances_admits_them_as_slots_free_and_leaves_others_alone(
        database, tmp_path, request):
    url = request.getfixturevalue("pg_url") if database == "postgresql" else None
    harness = Harness(tmp_path, url)
    run_id = harness.start(harness.write(LIMITED))
    store = harness.store
    assert set(harness.states(run_id, "call").values()) == {"scheduled"}
    assert set(harness.states(run_id, "free").values()) == {"queued"}  # not limited: today's path
    assert [task_id for _, task_id, _ in harness.dispatcher.pending] == ["free"]
    [row] = [r for r in store.list_instances(run_id, "call") if r["map_index"] == 0]
    assert (row["pool"], row["pool_slots"], row["priority_weight"]) == ("default_pool", 1, 1)
    assert store.admit_scheduled() == {(run_id, "call"): [0, 1]}
    assert store.admit_scheduled() == {}  # both slots are held
    [first] = claim(store, run_id, "call", [0], "h")
    assert first.holds_slot
    assert not claim(store, run_id, "free", [0], "h")[0].holds_slot
    finish(store, run_id, "call", 0, first.try_number, TI.SUCCESS, xcoms={"return_value": "0"})
    assert store.admit_scheduled() == {(run_id, "call"): [2]}
    with store.begin() as conn:  # the ended instance was released from admission's rows
        released = conn.exec_driver_sql(
            "SELECT admission FROM task_instance WHERE task_id = 'call' AND map_index = 0").scalar()
    assert released is None


def test_cancelling_a_run_fails_its_scheduled_instances(tmp_path):
    harness = Harness(tmp_path)
    run_id = harness.start(harness.write(LIMITED))
    assert harness.store.cancel_run(run_id, "cancelled", "stop")["waiting"] == 7
    assert set(harness.states(run_id, "call").values()) == {"failed"}
    assert harness.store.admit_scheduled() == {}


def test_a_run_of_a_dag_whose_tasks_have_no_limit_schedules_nothing(tmp_path):
    harness = Harness(tmp_path)
    harness.store.ensure_default_pool(-1)
    run_id = harness.run("""
        @task
        def one(x):
            return x

        @dag(dag_id="plain", start_date=datetime(2022, 1, 1))
        def plain():
            one.expand(x=[1, 2, 3])

        plain()
    """)
    rows = harness.store.list_instances(run_id)
    assert {r["state"] for r in rows} == {"success"} and {r["admission"] for r in rows} == {None}


def test_a_sized_default_pool_limits_every_task(tmp_path):
    harness = Harness(tmp_path)
    harness.store.ensure_default_pool(1)
    harness.store.ensure_default_pool(7)  # an existing default_pool keeps its size
    run_id = harness.start(harness.write(LIMITED.replace("max_active_tis_per_dagrun=2", "")))
    assert set(harness.states(run_id, "free").values()) == {"scheduled"}
    assert sum(len(i) for i in harness.store.admit_scheduled().values()) == 1


# -- chordflow pools, and pools in DAG files -------------------------------------------------------------
def pools_of(env) -> dict[str, dict]:
    listed = run_cli(env, "pools", "list", "--output", "json")
    assert listed.returncode == 0, listed.stderr
    return {p["pool"]: p for p in json.loads(listed.stdout)}


def test_pools_set_list_delete(embedded_env):
    env = embedded_env
    assert pools_of(env) == {"default_pool": {"pool": "default_pool", "slots": -1, "description": "Default pool",
                                              "running": 0, "queued": 0, "scheduled": 0, "open_slots": -1}}
    assert run_cli(env, "pools", "set", "api", "3", "--description", "the rate-limited API").returncode == 0
    assert run_cli(env, "pools", "set", "api", "4").returncode == 0  # resized; the description stays
    assert pools_of(env)["api"] == {"pool": "api", "slots": 4, "description": "the rate-limited API",
                                    "running": 0, "queued": 0, "scheduled": 0, "open_slots": 4}
    table = run_cli(env, "pools", "list")
    assert "api" in table.stdout and "open_slots" in table.stdout
    assert run_cli(env, "pools", "set", "api", "-1").returncode == 0  # unlimited
    assert pools_of(env)["api"]["open_slots"] == -1
    assert run_cli(env, "pools", "delete", "api").returncode == 0
    assert set(pools_of(env)) == {"default_pool"}


@pytest.mark.parametrize(("args", "words"), [
    (["delete", "default_pool"], "default_pool cannot be deleted"),
    (["delete", "nope"], "no pool named 'nope'"),
    (["set", "api", "-2"], "slots must be -1 (unlimited) or more"),
])
def test_bad_pool_commands_say_one_line_and_exit_2(embedded_env, args, words):
    result = run_cli(embedded_env, "pools", *args)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and words in line


def test_default_pool_is_created_with_the_configured_size(embedded_env):
    env = {**embedded_env, "CHORDFLOW_DEFAULT_POOL_SLOTS": "16"}
    assert pools_of(env)["default_pool"]["slots"] == 16
    bad = run_cli({**embedded_env, "CHORDFLOW_DEFAULT_POOL_SLOTS": "lots"}, "pools", "list")
    assert bad.returncode != 0 and "CHORDFLOW_DEFAULT_POOL_SLOTS must be a whole number" in bad.stderr


def test_an_unknown_pool_refuses_the_run_in_one_line_and_writes_nothing(embedded_env):
    path = OWN_ACCEPTANCE / "unknown_pool.py"
    result = run_cli(embedded_env, "run", str(path))
    assert result.returncode == 2
    assert result.stderr.strip() == ("Error: task 'call' of DAG 'unknown_pool' uses pool 'rate_limited_api', which "
                                     "does not exist: create it with `chordflow pools set rate_limited_api SLOTS`")
    assert json.loads(run_cli(embedded_env, "runs", "list", "--output", "json").stdout) == []
    assert run_cli(embedded_env, "pools", "set", "rate_limited_api", "1").returncode == 0
    assert run_cli(embedded_env, "run", str(path)).returncode == 0


SPANS = """
import time
from datetime import datetime
from orchestrator import dag, task

@task(batch_size=1, max_active_tis_per_dagrun=1)
def call(x):
    start = time.time()
    time.sleep(0.1)
    return [start, time.time()]

@dag(dag_id="spans", schedule=None, start_date=datetime(2022, 1, 1))
def spans():
    call.expand(x=[1, 2, 3])

spans()
"""


def test_cleared_instances_of_a_limited_task_are_scheduled_again_under_the_limit(embedded_env, tmp_path):
    path = tmp_path / "spans.py"
    path.write_text(SPANS)
    env = embedded_env
    assert run_cli(env, "run", str(path), "--run-id", "r").returncode == 0
    cleared = run_cli(env, "tasks", "clear", "r", "--task-id", "call", "--wait")
    assert cleared.returncode == 0, cleared.stderr
    rows = json.loads(run_cli(env, "tasks", "list", "r", "--task-id", "call", "--output", "json").stdout)
    assert [(r["state"], r["try_number"], r["pool"]) for r in rows] == [("success", 2, "default_pool")] * 3
    spans = sorted(json.loads(run_cli(env, "xcom", "get", "r", "call", "--output", "json").stdout))
    assert all(later[0] >= earlier[1] for earlier, later in zip(spans, spans[1:], strict=False))


RETRIED = """
import time
from datetime import datetime, timedelta
from orchestrator import dag, task, get_current_context

@task(batch_size=1, max_active_tis_per_dagrun=1, retries=1, retry_delay=timedelta(seconds=0.2))
def call(x):
    start = time.time()
    time.sleep(0.05)
    if x == 0 and get_current_context()["ti"].try_number == 1:
        raise RuntimeError("first try of index 0 fails")
    return [start, time.time()]

@dag(dag_id="retried", schedule=None, start_date=datetime(2022, 1, 1))
def retried():
    call.expand(x=[0, 1, 2])

retried()
"""


def test_an_instance_waiting_for_its_retry_keeps_its_slot_and_the_map_completes(embedded_env, tmp_path):
    """Index 0's retry runs before any other index starts: its slot was kept while it waited."""
    path = tmp_path / "retried.py"
    path.write_text(RETRIED)
    result = run_cli(embedded_env, "run", str(path), "--run-id", "r", "--output", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(run_cli(embedded_env, "tasks", "list", "r", "--task-id", "call", "--output", "json").stdout)
    assert [(r["state"], r["try_number"]) for r in rows] == [("success", 2), ("success", 1), ("success", 1)]
    spans = json.loads(run_cli(embedded_env, "xcom", "get", "r", "call", "--output", "json").stdout)
    assert spans[0][1] <= min(spans[1][0], spans[2][0])
    ordered = sorted(spans)
    assert all(later[0] >= earlier[1] for earlier, later in zip(ordered, ordered[1:], strict=False))


RESCHEDULED = """
import time
from datetime import datetime
from pathlib import Path
from orchestrator import dag, task
from orchestrator.sensors import PokeReturnValue

POKES = Path("POKES_PATH")

@task.sensor(mode="reschedule", poke_interval=0.2, timeout=60, batch_size=1, max_active_tis_per_dagrun=1)
def landed(x):
    with POKES.open("a") as log:
        log.write(f"{x} {time.time()}\\n")
    done = x == 1 or len([line for line in POKES.read_text().splitlines() if line.startswith("0 ")]) >= 3
    return PokeReturnValue(is_done=done, xcom_value=time.time())

@dag(dag_id="rescheduled", schedule=None, start_date=datetime(2022, 1, 1))
def rescheduled():
    landed.expand(x=[0, 1])

rescheduled()
"""


def test_a_rescheduled_sensor_keeps_its_slot_between_pokes(embedded_env, tmp_path):
    """Here a sensor in reschedule mode keeps its slot while up_for_reschedule (it is poked again
    without admission); Airflow would give the slot to index 1 meanwhile."""
    path, pokes = tmp_path / "rescheduled.py", tmp_path / "pokes.txt"
    path.write_text(RESCHEDULED.replace("POKES_PATH", str(pokes)))
    result = run_cli(embedded_env, "run", str(path), "--run-id", "r", "--output", "json")
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in pokes.read_text().splitlines()] == ["0", "0", "0", "1"]


def test_the_api_lists_pools_as_pools_list_does(embedded_env):
    from tests.web import client_of

    assert run_cli(embedded_env, "pools", "set", "api", "2").returncode == 0
    with client_of(embedded_env) as client:
        answer = client.get("/api/v1/pools")
    assert answer.status_code == 200
    assert answer.json() == list(pools_of(embedded_env).values())
