"""Automatic batching: the batch size follows the task's duration measured in the DAG's last run."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from executor.dispatch import MAX_AUTO_BATCH, MIN_BATCHES, TARGET_BATCHES, choose_batch_size
from tests.harness import Harness

SLOW_AND_FAST = """
import time

@task(batch_size=40)
def fast(x):
    time.sleep(0.002)
    return x

@task
def slow(x):
    time.sleep(0.05)
    return x

@dag(dag_id="durations", start_date=datetime(2022, 1, 1))
def durations():
    fast.expand(x=list(range(40)))
    slow.expand(x=[1, 2, 3])

durations()
"""


def task(batch_size=None):
    return SimpleNamespace(batch_size=batch_size)


def test_a_batch_size_set_on_the_task_wins():
    assert choose_batch_size(task(7), 10_000, typical_duration=1e-6) == 7


def test_without_a_known_duration_the_map_is_cut_for_spreading():
    assert choose_batch_size(task(), 64_000) == MAX_AUTO_BATCH
    assert choose_batch_size(task(), 6_400) == 6_400 // TARGET_BATCHES
    assert choose_batch_size(task(), 10) == 1


def test_a_known_duration_sizes_messages_by_work_but_keeps_several_batches():
    assert choose_batch_size(task(), 100_000, typical_duration=1e-4) == MAX_AUTO_BATCH  # tiny tasks: full batches
    assert choose_batch_size(task(), 1_000, typical_duration=1e-4) == -(-1_000 // MIN_BATCHES)
    assert choose_batch_size(task(), 1_000, typical_duration=0.1) == 2  # 0.25 s of work per message
    assert choose_batch_size(task(), 1_000, typical_duration=30.0) == 1  # long tasks: one per message


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_typical_duration_comes_from_the_previous_run_of_the_dag_with_true_start_dates(tmp_path, request, backend):
    h = Harness(tmp_path, request.getfixturevalue("pg_url") if backend == "postgresql" else None)
    path = h.write(SLOW_AND_FAST)
    first = h.start(path)
    assert h.store.typical_duration(first, "slow") is None  # no earlier run
    h.drain()
    second = h.start(path)
    slow, fast = h.store.typical_duration(second, "slow"), h.store.typical_duration(second, "fast")
    # Each instance's own start is recorded, not the batch's claim: the 40 fast ones, run one
    # after another in one batch (80 ms in all), do not look as slow as half the batch.
    assert 0.05 <= slow < 1.0
    assert 0.002 <= fast < 0.01
