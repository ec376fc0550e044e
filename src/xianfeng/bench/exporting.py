"""`xianfeng bench export`: the roster of the database at hand (the city demo) exported
as `xianfeng export members` does it, masked and with --unmasked.

Target (issue 15): the city roster ≤ 20 s and peak RSS ≤ 300 MB on 2 cores, both
databases. The reference is a plain SELECT of the same columns (the floor: reading what
the workbook holds, without writing it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

TARGET_SECONDS = 20
TARGET_RSS_MB = 300


def select_seconds() -> tuple[float, float, int]:
    """The floor: the export's own query of the roster (same columns, joins and order)
    run as plain SQL and every row fetched; returns (seconds, CPU seconds, rows)."""
    from xianfeng.members.exports import member_values
    from xianfeng.members.models import Member

    sql, params = member_values(Member.objects.all()).query.sql_with_params()
    start, cpu = time.perf_counter(), time.process_time()
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(5000):
            rows += len(batch)
    return time.perf_counter() - start, time.process_time() - cpu, rows


def timed_export(path: Path, *, unmasked: bool) -> dict[str, Any]:
    """`xianfeng export members` in a process of its own: wall seconds, its CPU seconds and
    its peak resident set size (os.wait4: the kernel's ru_maxrss of that child alone).

    Start it while this process is small: Linux carries a forked child's peak over its
    exec, so the pages this process held at the fork would count as the export's."""
    command = [sys.executable, "-m", "xianfeng.cli", "export", "members", str(path)]
    if unmasked:
        command.append("--unmasked")
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    out, err = child.communicate()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError((out + err).decode(errors="replace")[-2000:])
    return {
        "unmasked": unmasked,
        "seconds": round(seconds, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),  # the machine may be shared
        "rows": _rows_recorded(),
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),  # Linux reports KiB
    }


def _rows_recorded() -> int:
    from xianfeng.core.models import ExportRecord

    record = ExportRecord.objects.filter(kind="members").order_by("-pk").first()
    return record.rows if record else 0


def run() -> dict[str, Any]:
    from xianfeng.members.models import Member

    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    exports = []
    for unmasked in (False, True):  # before the reference grows this process (timed_export)
        path = folder / f"export-members{'-unmasked' if unmasked else ''}.xlsx"
        try:
            exports.append(timed_export(path, unmasked=unmasked))
        finally:
            path.unlink(missing_ok=True)  # the unmasked one holds full ID numbers
    floor, floor_cpu, rows = min(select_seconds() for _ in range(3))
    slowest = max(e["seconds"] for e in exports)
    busiest = max(e["cpu_s"] for e in exports)
    return {
        "database": connection.vendor,
        "cores": os.cpu_count(),
        "members": Member.objects.count(),
        "exports": exports,
        "reference": "plain SELECT of the exported columns (same joins and order), all rows fetched",
        "select_s": round(floor, 2),
        "select_cpu_s": round(floor_cpu, 2),  # the database's own work is not in it on PG
        "select_rows": rows,
        "ratio": round(slowest / floor, 2) if floor else None,
        "cpu_ratio": round(busiest / floor_cpu, 2) if floor_cpu else None,
        "target_s": TARGET_SECONDS,
        "target_peak_rss_mb": TARGET_RSS_MB,
        "met": slowest <= TARGET_SECONDS
        and all(e["peak_rss_mb"] <= TARGET_RSS_MB for e in exports),
    }
