"""The acceptance cases (../shared/acceptance and tests/acceptance) through check.py, the CLI only:
each case on the embedded default, then all of them on Redis + PostgreSQL with two workers."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import OWN_ACCEPTANCE, SHARED_ACCEPTANCE, run_cli

CHECK = SHARED_ACCEPTANCE / "check.py"
#: Seconds check.py may take for one case on two workers: about 2.2 s each here (2 cores, 70 cases
#: in 154 s), so a machine twice as slow, and busy, still ends in time.
SECONDS_PER_DISTRIBUTED_CASE = 8
#: Seconds for check.py to start its two workers (it sleeps 5 s), and for the test's teardown.
DISTRIBUTED_OVERHEAD = 60


def all_cases():
    shared = sorted(p for p in SHARED_ACCEPTANCE.glob("*.py") if p.name != "check.py")
    return shared + sorted(OWN_ACCEPTANCE.glob("*.py"))


def test_shared_acceptance_cases_are_present():
    assert CHECK.is_file(), f"{CHECK} is missing: the shared acceptance cases must sit beside the project"
    assert len(all_cases()) > 20


@pytest.mark.parametrize("case", all_cases(), ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_case_on_embedded_default(case, embedded_env):
    result = subprocess.run([sys.executable, str(CHECK), str(case)], env=embedded_env, capture_output=True,
                            text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 0 failed" in result.stdout


def distributed_timeout() -> float:
    """Seconds check.py may take for every case on two workers."""
    return DISTRIBUTED_OVERHEAD + SECONDS_PER_DISTRIBUTED_CASE * len(all_cases())


@pytest.mark.timeout(distributed_timeout() + DISTRIBUTED_OVERHEAD)
def test_every_case_on_redis_and_postgres_with_two_workers(distributed_env):
    cases = [str(case) for case in all_cases()]
    try:
        result = subprocess.run([sys.executable, str(CHECK), "--workers", "2", *cases], env=distributed_env,
                                capture_output=True, text=True, timeout=distributed_timeout())
    except subprocess.TimeoutExpired as exc:  # what check.py said so far tells which case it was stuck on
        so_far = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout
        pytest.fail(f"check.py did not end in {exc.timeout:.0f} s; so far:\n{so_far}")
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert not failures, "\n".join(failures) + result.stderr[-2000:]
    assert f"{len(cases)} passed, 0 failed" in result.stdout


def expected_of(case):
    import ast

    for node in ast.parse(case.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXPECTED" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{case}: no EXPECTED")


@pytest.mark.parametrize("case", [c for c in all_cases() if expected_of(c).get("exit") == 2], ids=lambda p: p.stem)
def test_refused_case_says_one_line_without_traceback(case, embedded_env):
    """Cases refused before anything runs (import errors, cycles, unmappable parameters, bad
    --conf): one line naming what was wrong, exit 2, no traceback."""
    expected = expected_of(case)
    result = run_cli(embedded_env, "run", str(case), *expected.get("run_args", []))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    words = expected.get("stderr_contains", "")
    for word in words.split() if isinstance(words, str) else words:  # (check.py takes both)
        assert word.lower() in result.stderr.lower(), result.stderr
