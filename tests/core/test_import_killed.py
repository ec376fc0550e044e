"""PLAT-03: an import killed at any point leaves nothing behind (one transaction).

Runs the real command in a child process against its own database, waits until the
orgs are written (not yet committed), kills it with SIGKILL and checks that nothing
was kept.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import uuid

import pytest
from openpyxl import Workbook

from xianfeng.lib.idcard import make_id_number


def _workbook(path, members: int) -> None:
    book = Workbook()
    orgs = book.active
    orgs.title = "党组织"
    orgs.append(["组织编码", "组织名称", "上级组织", "组织类别"])
    orgs.append(["K1", "测试县委", "", "党委"])
    orgs.append(["K1-1", "测试村党支部", "K1", "党支部"])
    sheet = book.create_sheet("党员")
    sheet.append(["姓名", "身份证号", "所在党组织", "入党日期", "转正日期"])
    for n in range(members):
        number = make_id_number("320602", dt.date(1930, 1, 1) + dt.timedelta(days=n), n % 1000)
        sheet.append([f"党员{n}", number, "K1-1", "2010-07-01", "2011-07-01"])
    book.save(path)


def _database(tmp_path):
    """A fresh database for the child process: SQLite file, or a new PostgreSQL db."""
    env = dict(os.environ, XIANFENG_VAR_DIR=str(tmp_path / "var"))
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        env.pop("DATABASE_URL", None)
        return env, None
    import psycopg

    name = f"xf_killed_{uuid.uuid4().hex[:8]}"
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{base}/{name}"
    return env, (base, name)


def _count(env, table: str) -> int:
    if "DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    db = sqlite3.connect(os.path.join(env["XIANFENG_VAR_DIR"], "xianfeng.sqlite3"))
    try:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        db.close()


@pytest.mark.slow
def test_plat_03_killed_import_leaves_nothing(tmp_path):
    env, pg = _database(tmp_path)
    cli = [sys.executable, "-m", "xianfeng.cli"]
    try:
        subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, timeout=300)
        path = tmp_path / "big.xlsx"
        _workbook(path, 20000)
        child = subprocess.Popen(
            [*cli, "import", str(path), "--progress"],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        seen = []
        for line in child.stderr:
            seen.append(line)
            if "已写入党组织" in line:
                child.send_signal(signal.SIGKILL)
                break
        assert child.wait(timeout=120) == -signal.SIGKILL, (
            "".join(seen)[-3000:],
            child.stdout.read()[:2000],
        )
        assert _count(env, "orgs_org") == 0
        assert _count(env, "members_member") == 0
    finally:
        if pg:
            import psycopg

            with psycopg.connect(f"{pg[0]}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg[1]}" WITH (FORCE)')
