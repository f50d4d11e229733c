"""Plan the same sheet with this checkout's planner and another commit's, in one process, in
turn, and print how long each took and the ratio of the two round by round.

Why: on a shared machine the speed drifts by up to 2x from one minute to the next, so two
benchmark runs minutes apart cannot tell a 10% change from noise. Two planners timed in
turn in one process see the same machine, the same snapshot and the same heap; the median
of the per-round ratios is steady to a few percent. The other commit's ``sheetbot/`` is
exported with ``git archive`` and imported under another name (``sheetbot_base``).

    .venv/bin/python benchmarks/compare.py HEAD~1                 # 100,000 rows, 9 rounds
    .venv/bin/python benchmarks/compare.py 27d3fab --rows 10000 --rounds 15

The sheet is ``bench_run.py``'s (same seed and backlog). Both plans are checked to decide the
same (every date, action and rule text) and to write the same cells, before anything is
timed. Output: one line per round, then the best of each and the median ratio (this
checkout ÷ the other commit). Only timings and counts are printed, never a cell.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from types import ModuleType
from typing import Any

from bench_run import AS_OF, ROOT, best_of, build_rows, settings, snapshot_of

from sheetbot.config import from_mapping
from sheetbot.run import plan_snapshot

BASE = "sheetbot_base"  # the other commit's package, imported under this name
SUMMARY = "Time this checkout's planner against another commit's, in turn, in one process."


def export(ref: str, into: Path) -> None:
    """``ref``'s ``sheetbot/`` as the package ``sheetbot_base`` in ``into``, its imports of
    itself renamed."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref, "sheetbot"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "sheetbot").rename(into / BASE)
    for path in (into / BASE).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"\bsheetbot(?=[. ])", BASE, text), encoding="utf-8")


def base_modules(ref: str, into: Path) -> tuple[ModuleType, ModuleType, ModuleType]:
    """The other commit's ``run``, ``config`` and ``table`` modules."""
    export(ref, into)
    sys.path.insert(0, str(into))
    return tuple(  # type: ignore[return-value]
        importlib.import_module(f"{BASE}.{name}") for name in ("run", "config", "table")
    )


def converted(value: Any, table_module: ModuleType) -> Any:
    """A Snapshot (or Table) rebuilt with ``table_module``'s classes, sharing the rows."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = getattr(table_module, type(value).__name__)
        fields = {
            f.name: converted(getattr(value, f.name), table_module)
            for f in dataclasses.fields(value)
        }
        return cls(**fields)
    return value


def outline(plan: Any) -> tuple[object, ...]:
    """What a plan does and says, in plain values: every decision (its date, action, rule
    text, holds, extension and person), and each row's writes and rule text."""
    decisions = [
        (
            d.record.row,
            str(d.expunge_on),
            str(d.action),
            d.rule,
            tuple(d.held_by),
            d.extended_by,
            d.person,
        )
        for d in plan.decisions
    ]
    writes = [
        (c.row, str(c.action), c.rule, tuple((w.column, str(w.value)) for w in c.writes))
        for c in plan.changes
    ]
    return tuple(decisions), tuple(writes), tuple(plan.deferred)


def timed(func: Callable[[], Any]) -> float:
    """Seconds of one call (``bench_run.best_of``: collected before, freed after the clock)."""
    return best_of(1, func)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=SUMMARY)
    parser.add_argument("ref", help="the commit to compare this checkout with (e.g. HEAD~1)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--backlog-days", type=int, default=30)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        base_run, base_config, base_table = base_modules(args.ref, Path(tmp))
        rows = build_rows(args.rows, args.seed, args.backlog_days)
        snapshot = snapshot_of(rows[1:])
        base_snapshot = converted(snapshot, base_table)
        config = from_mapping(settings(10**9))
        base_cfg = base_config.from_mapping(settings(10**9))

        def this() -> Any:
            return plan_snapshot(snapshot, config, AS_OF, allow_mass_expunge=True)

        def other() -> Any:
            return base_run.plan_snapshot(base_snapshot, base_cfg, AS_OF, allow_mass_expunge=True)

        if outline(this()) != outline(other()):
            print(f"the plans differ: this checkout and {args.ref} decide or write differently")
            return 1
        print(f"{args.rows:,} rows; the two plans decide and write the same. Seconds per plan:")
        print(f"{'round':>5}  {'this':>7}  {args.ref:>12}  ratio")
        mine: list[float] = []
        theirs: list[float] = []
        for round_ in range(args.rounds):
            # Alternate which goes first, so that neither always runs on a fresher heap.
            if round_ % 2:
                theirs.append(timed(other))
                mine.append(timed(this))
            else:
                mine.append(timed(this))
                theirs.append(timed(other))
            print(
                f"{round_ + 1:>5}  {mine[-1]:7.3f}  {theirs[-1]:12.3f}  {mine[-1] / theirs[-1]:.3f}"
            )
        ratios = [a / b for a, b in zip(mine, theirs, strict=True)]
        print(
            f"best: this {min(mine):.3f} s, {args.ref} {min(theirs):.3f} s; "
            f"median ratio this / {args.ref}: {statistics.median(ratios):.3f} "
            f"(rounds {min(ratios):.3f} to {max(ratios):.3f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
