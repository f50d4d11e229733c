"""The benchmark script still runs (its smallest size), so that its figures can be trusted."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_run.py"


def test_benchmark_smoke_run_passes_its_checks(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_run", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    code = module.main_(["--sizes", "1000", "--one-person", "1000", "--repeat", "1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 check(s) failed" in out
