"""`xianfeng bench import`: the city roster re-imported as exported, and a synthetic city
imported into an empty database.

`reimport` (issue 15): the current database's roster exported by the export code as
`xianfeng export members --unmasked` writes it (or a given file), then `xianfeng import`
of that file into the same database, as a user runs it: every row matches its member and
nothing is written. Target: ≤ 20 s and ≤ 4× python-calamine's own read of the file; peak
RSS of the import's processes together (itself and its reading child) ≤ 1 GB.

`fresh` (issue "Data in and out"): a synthetic city workbook of 300,000 members imported
into an empty database: ≤ 60 s and ≤ 2.5× the time openpyxl alone needs to read it in
read-only mode; python-calamine's read is reported beside it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from xianfeng.lib.idcard import make_id_number

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰春梅海燕文波宁斌辉鹏飞云凤琴丹红梅英俊浩宇晨阳子涵雨欣思雨一鸣佳怡"
EDUCATION = ["大学本科", "大学专科", "普通高中", "初中", "研究生", "中等职业教育"]
CATEGORY = ["农村党员", "在职党员", "离退休党员", "流动党员", "年老体弱党员"]


def build_workbook(path: Path, *, members: int, seed: int = 1) -> dict[str, int]:
    """A synthetic city: 10 counties × 15 towns × branches, `members` members.

    Saved in openpyxl's normal mode, which writes a shared-strings table and the sheet
    dimension as Excel and WPS do (write-only mode stores strings inline and no dimension,
    which reads about twice as slowly and is not what officers' files look like).
    """
    rng = random.Random(seed)
    book = Workbook()
    book.remove(book.active)
    orgs = book.create_sheet("党组织")
    orgs.append(["组织编码", "组织名称", "上级组织", "组织类别", "领域"])
    orgs.append(["C", "示范市委", "", "党委", ""])
    branches: list[tuple[str, int]] = []
    per_town = max(1, members // (33 * 150))
    for c in range(1, 11):
        county = f"C{c:02d}"
        orgs.append([county, f"第{c}县委", "C", "党委", ""])
        for t in range(1, 16):
            town = f"{county}-T{t:02d}"
            orgs.append([town, f"第{c}县第{t}镇党委", county, "党委", "农村"])
            for b in range(1, per_town + 1):
                code = f"{town}-B{b:03d}"
                orgs.append([code, f"第{c}县第{t}镇第{b}村党支部", town, "党支部", "农村"])
                branches.append((code, c))
    sheet = book.create_sheet("党员")
    sheet.append(
        [
            "党员编号",
            "姓名",
            "身份证号",
            "所在党组织",
            "入党日期",
            "转正日期",
            "党籍状态",
            "学历",
            "党员类别",
            "联系电话",
        ]
    )
    used: set[str] = set()
    for n in range(members):
        code, county_no = branches[n % len(branches)]
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(60 * 365))
        joined = min(birth + dt.timedelta(days=365 * rng.randint(19, 40)), dt.date(2024, 6, 30))
        full = joined + dt.timedelta(days=365) if rng.random() < 0.95 else None
        number = make_id_number(f"3206{county_no:02d}", birth, n % 1000)
        while number in used:
            birth += dt.timedelta(days=1)
            number = make_id_number(f"3206{county_no:02d}", birth, n % 1000)
        used.add(number)
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        sheet.append(
            [
                f"B{n + 1:08d}",
                name,
                number,
                code,
                joined,
                full,
                "正式党员" if full else "预备党员",
                rng.choice(EDUCATION),
                rng.choice(CATEGORY),
                f"13{rng.randrange(10**9):09d}",
            ]
        )
    book.save(path)
    return {"orgs": 1 + 10 + 150 + len(branches), "members": members}


def openpyxl_read_seconds(path: Path) -> float:
    """The floor: openpyxl alone reading every cell in read-only mode."""
    start = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    for sheet in book.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            pass
    book.close()
    return time.perf_counter() - start


def calamine_read_seconds(path: Path) -> tuple[float, int]:
    """The reference: python-calamine alone reading every cell of every sheet; and the rows."""
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    rows = 0
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        rows += len(book.get_sheet_by_name(name).to_python())
    book.close()
    return time.perf_counter() - start, rows


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fresh_database(work: Path) -> tuple[dict[str, str], str | None]:
    env = dict(os.environ, XIANFENG_VAR_DIR=str(work))
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        env.pop("DATABASE_URL", None)
        return env, None
    import psycopg

    name = f"xf_bench_{uuid.uuid4().hex[:8]}"
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{base}/{name}"
    return env, f"{base}|{name}"


def drop_database(pg: str | None) -> None:
    if pg:
        import psycopg

        base, name = pg.split("|")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(*, members: int, workbook: Path) -> dict[str, Any]:
    """Build (or reuse) the workbook, time openpyxl, then time the import in a fresh DB."""
    if not workbook.exists() or workbook.stat().st_size == 0:
        workbook.parent.mkdir(parents=True, exist_ok=True)
        build_workbook(workbook, members=members)
    floor = openpyxl_read_seconds(workbook)
    calamine, _rows = calamine_read_seconds(workbook)
    cli = [sys.executable, "-m", "xianfeng.cli"]
    with tempfile.TemporaryDirectory() as work:
        env, pg = fresh_database(Path(work))
        try:
            subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
            start = time.perf_counter()
            done = subprocess.run(
                [*cli, "import", str(workbook), "--format", "json"],
                env=env,
                capture_output=True,
                text=True,
            )
            seconds = time.perf_counter() - start
        finally:
            drop_database(pg)
    if done.returncode != 0:
        raise RuntimeError(done.stdout[-2000:] + done.stderr[-2000:])
    return {
        "database": "postgresql" if pg else "sqlite",
        "cores": os.cpu_count(),
        "members": members,
        "file_mb": round(workbook.stat().st_size / 2**20, 1),
        "openpyxl_read_s": round(floor, 2),
        "calamine_read_s": round(calamine, 2),
        "import_s": round(seconds, 2),
        "ratio": round(seconds / floor, 2),
        "ratio_to_calamine": round(seconds / calamine, 2),
        "result": done.stdout.strip(),
    }


# --- the roster re-imported as exported ------------------------------------------------


def export_roster(path: Path) -> int:
    """The whole roster with full ID numbers, as `xianfeng export members --unmasked`."""
    from xianfeng.core.exports import export

    path.parent.mkdir(parents=True, exist_ok=True)
    return export(kind="members", target=path, user=None, unmasked=True).rows


def reimport(roster: Path | None, default: Path) -> dict[str, Any]:
    """Export the roster (unless given), time calamine's read of it, then time
    `xianfeng import` of it into the same database, with its processes' peak memory."""
    from django.db import connection

    started = time.perf_counter()
    path = roster or default
    if roster is None:
        export_roster(path)
    export_s = time.perf_counter() - started if roster is None else None
    cpu = time.process_time()
    reference, rows = calamine_read_seconds(path)
    reference_cpu = time.process_time() - cpu
    connection.close()  # the import runs in its own process against the same database
    env = dict(os.environ)
    command = [sys.executable, "-m", "xianfeng.cli", "import", str(path), "--format", "json"]
    start, cpu = time.perf_counter(), _children_cpu_seconds()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    memory = PeakMemory(process.pid)
    stdout, stderr = process.communicate()
    seconds, cpu = time.perf_counter() - start, _children_cpu_seconds() - cpu
    memory.stop()
    if process.returncode != 0:
        raise RuntimeError(stdout.decode()[-2000:] + stderr.decode()[-2000:])
    counts = json.loads(stdout)["counts"].get("members", {})
    return {
        "database": connection.vendor,
        "cores": os.cpu_count(),
        "rows": rows - 1,  # less the header
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "export_s": round(export_s, 2) if export_s is not None else None,
        "calamine_read_s": round(reference, 2),
        "import_s": round(seconds, 2),
        "ratio": round(seconds / reference, 2),
        # CPU seconds (the import's processes together): the measure that holds when other
        # work shares the machine
        "calamine_read_cpu_s": round(reference_cpu, 2),
        "import_cpu_s": round(cpu, 2),
        "peak_rss_mb": memory.peak_mb(),
        "peak_rss_mb_each": [round(kb / 1024, 1) for kb in memory.peaks.values()],
        "counts": counts,
        "wrote_nothing": counts.get("created") == 0 and counts.get("updated") == 0,
        "target": {"import_s": 20, "ratio": 4, "peak_rss_mb": 1024},
    }


class PeakMemory:
    """The peak RSS of a process and each of its descendants (/proc's VmHWM, the kernel's
    ru_maxrss of a live process), sampled until it ends, summed: all its processes together."""

    INTERVAL = 0.05

    def __init__(self, pid: int):
        self.pid, self.peaks = pid, {}  # type: ignore[var-annotated]
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.done.wait(self.INTERVAL):
            for pid in self._tree(self.pid):
                peak = _high_water_kb(pid)
                if peak:
                    self.peaks[pid] = max(peak, self.peaks.get(pid, 0))

    def _tree(self, pid: int) -> list[int]:
        found, todo = [], [pid]
        while todo:
            current = todo.pop()
            found.append(current)
            todo.extend(_children(current))
        return found

    def stop(self) -> None:
        self.done.set()
        self.thread.join()

    def peak_mb(self) -> float:
        return round(sum(self.peaks.values()) / 1024, 1)


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except OSError:
        return []


def _high_water_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
