"""`xianfeng bench roundtrip`: the demo exported, emptied and re-imported (issue 13, 6).

Runs on a scratch database it creates itself (a temporary SQLite file, or a temporary
PostgreSQL database when DATABASE_URL is set), with its own var directory (keys, media),
so the installation's database is never touched: `migrate`, `demo --scale … --seed …
--as-of …`, then `bench.roundtrip.round_trip` in a child process. Prints rows per model
before and after, the models that differ, the findings and seconds per phase.

Target (issue 13): the county round trip keeps 100 % of rows and the same findings;
report its time and the core count.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .importing import drop_database, fresh_database

CHILD = "xianfeng.bench.scratch"


def run(*, scale: str, seed: int, as_of: dt.date) -> dict[str, Any]:
    cli = [sys.executable, "-m", "xianfeng.cli"]
    with tempfile.TemporaryDirectory(prefix="xf-roundtrip-") as work:
        env, pg = fresh_database(Path(work))
        try:
            subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
            start = time.perf_counter()
            demo = [*cli, "demo", "--scale", scale, "--seed", str(seed), "--as-of", str(as_of)]
            subprocess.run(demo, env=env, check=True, capture_output=True)
            built = time.perf_counter() - start
            sys.stderr.write(f"demo: {built:.1f} s\n")
            child = [sys.executable, "-m", CHILD, str(Path(work) / "export"), str(as_of)]
            # stderr passes through: the child reports each phase as it ends
            done = subprocess.run(child, env=env, stdout=subprocess.PIPE, text=True)
        finally:
            drop_database(pg)
    if done.returncode != 0:
        raise RuntimeError(f"往返测试失败（退出码 {done.returncode}）：{done.stdout[-2000:]}")
    report = json.loads(done.stdout)
    rows = report.pop("rows_before")
    after = report.pop("rows_after")
    return {
        "database": "postgresql" if pg else "sqlite",
        "cores": os.cpu_count(),
        "scale": scale,
        "seed": seed,
        "as_of": str(as_of),
        "demo_s": round(built, 2),
        "rows": {label: {"before": n, "after": after.get(label, 0)} for label, n in rows.items()},
        **report,
    }


def _child(directory: str, as_of: str) -> None:
    """In the scratch database's environment: the round trip, printed as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")
    django.setup()
    from .roundtrip import round_trip

    def progress(phase: str, seconds: float) -> None:
        sys.stderr.write(f"{phase}: {seconds:.1f} s\n")
        sys.stderr.flush()

    report = round_trip(Path(directory), as_of=dt.date.fromisoformat(as_of), progress=progress)
    sys.stdout.write(json.dumps(report, ensure_ascii=False, default=str))


if __name__ == "__main__":
    _child(*sys.argv[1:3])
