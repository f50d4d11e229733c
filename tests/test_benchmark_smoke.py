"""The benchmark script still runs (its smallest size), so that its figures can be trusted."""

from __future__ import annotations

import importlib.util
import re
import subprocess
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
    argv = ["--sizes", "1000", "--one-person", "1000", "--repeat", "1", "--first-runs", "1"]
    code = module.main_(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 check(s) failed" in out
    row = next(line for line in out.splitlines() if line.startswith("| 1,000 |"))
    first_run = row.split("|")[-2].strip()  # a run's first decode: min / median / max
    assert re.fullmatch(r"\d+\.\d\d / \d+\.\d\d / \d+\.\d\d", first_run), row


COMPARE = SCRIPT.with_name("compare.py")


def test_compare_times_this_checkout_against_a_commit(capsys: pytest.CaptureFixture[str]) -> None:
    """compare.py exports a commit's planner, checks both plan alike, and times them."""
    root = SCRIPT.parents[1]
    try:
        unchanged = subprocess.run(
            ["git", "-C", str(root), "diff", "--quiet", "HEAD", "--", "sheetbot"], check=False
        ).returncode
    except FileNotFoundError:
        pytest.skip("no git here")
    if unchanged != 0:
        pytest.skip("sheetbot/ differs from HEAD: the two planners may rightly differ")
    path = list(sys.path)
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        spec = importlib.util.spec_from_file_location("bench_compare", COMPARE)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        code = module.main(["HEAD", "--rows", "300", "--rounds", "2"])
        base_file = sys.modules["sheetbot_base.run"].__file__
    finally:
        sys.path[:] = path
        for name in [n for n in sys.modules if n.split(".")[0] == "sheetbot_base"]:
            del sys.modules[name]
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith("300 rows; the two plans decide and write the same.")
    assert "median ratio this / HEAD:" in out
    # The other planner came from the exported commit, not from this checkout.
    assert base_file is not None
    assert not Path(base_file).is_relative_to(root)
