"""The architecture the layout promises: the orchestrator decides what runs and never imports Celery."""
from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, run_cli


def test_orchestrator_never_imports_celery():
    code = (
        "import pkgutil, importlib, sys, orchestrator\n"
        "for m in pkgutil.walk_packages(orchestrator.__path__, 'orchestrator.'):\n"
        "    if '.migrations' not in m.name: importlib.import_module(m.name)\n"
        "import orchestrator.operators\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('celery', 'kombu')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_demo_example_runs_on_the_embedded_default(embedded_env):
    result = run_cli(embedded_env, "run", str(ROOT / "examples" / "seed_mapping.py"), "--logical-date", "2022-04-12")
    assert result.returncode == 0, result.stderr
    assert "add [3]" in result.stdout and "success" in result.stdout
