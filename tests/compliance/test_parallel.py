"""Parallel evaluation (issue 15 item 2): the shard plan, and on the county demo a run in
several processes finds exactly what a serial run finds, stored as one run; a shard that
fails or a process that dies stores nothing and leaves the previous run in place."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import glob
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.utils import load_backend

from xianfeng.compliance import parallel
from xianfeng.compliance.engine import evaluate, run_check
from xianfeng.compliance.models import Finding, Run
from xianfeng.compliance.parallel import Piece, ShardFailed, plan
from xianfeng.compliance.registry import RULES, load_rules
from xianfeng.lib.dates import parse_period
from xianfeng.orgs.models import Org

AS_OF = dt.date(2026, 7, 15)
PERIOD = parse_period("2025")
# One worker takes the module, so the county below is built once (each worker that
# reached a test of it built its own: 2.5 minutes each on PostgreSQL).
pytestmark = pytest.mark.xdist_group("parallel_county")

# --- the plan (no database) ----------------------------------------------------------------

A, B, C, D = "A-01", "B-01", "C-01", "D-01"
PLANS = [
    # (name, rules (id, shard_by), jobs, weights, children, expected shards as piece tuples)
    (
        "one job keeps every rule whole",
        [(A, "rule"), (B, "subtree")],
        1,
        {A: 1, B: 5},
        {},
        [[(B, ()), (A, ())]],
    ),
    (
        "two jobs: heaviest first into the lightest bin",
        [(A, "rule"), (B, "rule"), (C, "rule")],
        2,
        {A: 3, B: 2, C: 2},
        {},
        [[(B, ()), (C, ())], [(A, ())]],
    ),
    (
        "more jobs than rules: no empty shard",
        [(A, "rule"), (B, "rule")],
        4,
        {A: 1, B: 1},
        {},
        [[(A, ())], [(B, ())]],
    ),
    (
        "a heavy subtree rule is cut by whole children, plus the roots alone",
        [(A, "subtree"), (B, "rule")],
        2,
        {A: 10, B: 2},
        {11: 5, 12: 3, 13: 2},
        [[(A, (11,)), (B, ())], [(A, (12, 13)), (A, "alone")]],
    ),
    (
        "a heavy rule-sharded rule (ranking within a committee) is never cut",
        [(A, "rule"), (B, "rule")],
        2,
        {A: 10, B: 2},
        {11: 5, 12: 3, 13: 2},
        [[(A, ())], [(B, ())]],
    ),
    (
        "a subtree rule within its fair share stays whole",
        [(A, "subtree"), (B, "rule")],
        2,
        {A: 3, B: 3},
        {11: 5, 12: 3},
        [[(A, ())], [(B, ())]],
    ),
    (
        "a rule group within its fair share stays in one shard",
        [("A-01", "rule"), ("A-02", "rule"), (B, "rule"), (C, "rule")],
        2,
        {"A-01": 1, "A-02": 1, B: 1, C: 1},
        {},
        [[("A-01", ()), ("A-02", ())], [(B, ()), (C, ())]],
    ),
    (
        "a heavy group of subtree rules is cut by whole children as a whole",
        [("A-01", "subtree"), ("A-02", "subtree"), (B, "rule")],
        2,
        {"A-01": 6, "A-02": 4, B: 4},
        {11: 5, 12: 5},
        [
            [("A-01", (11,)), ("A-02", (11,)), (B, ())],
            [("A-01", (12,)), ("A-02", (12,)), ("A-01", "alone"), ("A-02", "alone")],
        ],
    ),
    (
        "a heavy group with a rule that may not be cut is split rule by rule",
        [("A-01", "subtree"), ("A-02", "rule"), (B, "rule")],
        2,
        {"A-01": 6, "A-02": 4, B: 4},
        {11: 5, 12: 5},
        [
            [("A-02", ()), (B, ())],
            [
                ("A-01", ()),
            ],
        ],
    ),
    (
        "a single child cannot be cut",
        [(A, "subtree"), (B, "rule")],
        2,
        {A: 10, B: 1},
        {11: 5},
        [[(A, ())], [(B, ())]],
    ),
]


def _shape(piece: Piece) -> tuple[str, Any]:
    return piece.rule, "alone" if piece.alone else piece.children


@pytest.mark.parametrize(
    ("rules", "jobs", "weights", "children", "expected"),
    [row[1:] for row in PLANS],
    ids=[row[0] for row in PLANS],
)
def test_plan(rules, jobs, weights, children, expected):
    shards = plan(rules, jobs, weights=weights, children=children)
    assert [[_shape(p) for p in s.pieces] for s in shards] == expected
    assert len(shards) <= jobs


def test_plan_covers_every_rule_and_child_once():
    children = {i: float(i % 7 + 1) for i in range(100, 140)}
    rules = [(f"R-{i:02}", "subtree" if i % 2 else "rule") for i in range(12)]
    weights = {rule: float(i + 1) for i, (rule, _by) in enumerate(rules)}
    shards = plan(rules, 3, weights=weights, children=children)
    pieces = [p for s in shards for p in s.pieces]
    for rule, by in rules:
        own = [p for p in pieces if p.rule == rule]
        if len(own) == 1:
            assert own[0].children == () and not own[0].alone
        else:
            assert by == "subtree"
            assert sorted(c for p in own for c in p.children) == sorted(children)
            assert sum(p.alone for p in own) == 1
    assert max(s.weight for s in shards) <= 1.25 * sum(weights.values()) / 3


# --- the county demo, built once, committed (shard processes read it) ----------------------


def _file_database(tmp_path_factory: Any) -> dict[str, Any]:
    """SQLite: the migrated test schema copied to a WAL file the processes can open."""
    path = tmp_path_factory.mktemp("parallel") / "xianfeng.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
    settings_dict = dict(connections["default"].settings_dict, NAME=str(path))
    settings_dict["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    return settings_dict


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[list[Org]]:
    from xianfeng.demo.builder import build_demo

    with django_db_blocker.unblock():
        previous = connections["default"]
        # the test database (set up because a test below is marked django_db), never another
        assert "test" in str(connection.settings_dict["NAME"]) or "memory" in str(
            connection.settings_dict["NAME"]
        ), "no test database: select at least one django_db test of this module with -k"
        if connection.vendor == "sqlite":
            settings_dict = _file_database(tmp_path_factory)
            connections["default"] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
                settings_dict, alias="default"
            )
        try:
            build_demo(scale="county", seed=1, as_of=AS_OF)
            yield list(Org.objects.filter(depth=1))
        finally:
            if connections["default"] is not previous:
                connections["default"].close()
                connections["default"] = previous
            else:  # PostgreSQL: back to a database right after `migrate` for later tests
                from xianfeng.bench.roundtrip import wipe

                wipe()


@pytest.fixture
def database(county, django_db_blocker) -> Iterator[list[Org]]:
    with django_db_blocker.unblock():
        yield county


@pytest.mark.django_db
def test_inside_a_transaction_a_parallel_run_is_evaluated_serially(tree, monkeypatch):
    """A caller's open transaction (a test's, a view's) holds writes other processes
    cannot see: the shards would miss them, so the run stays in this process."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_ORGS", 1)
    one = evaluate(roots=[tree.city], period=PERIOD, as_of=AS_OF, jobs=1)
    two = evaluate(roots=[tree.city], period=PERIOD, as_of=AS_OF, jobs=2)
    assert [(r and r.id, f) for r, f in one[0]] == [(r and r.id, f) for r, f in two[0]]
    assert one[1] == two[1]
    assert not multiprocessing.active_children()


def _key(rule_id: str, org_id: int, member_id: Any, f: Any) -> str:
    return json.dumps(
        [rule_id, org_id, member_id, f.period, f.severity, f.message, f.evidence],
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )


def _serial(roots: list[Org]) -> list[str]:
    pairs, _orgs = evaluate(roots=roots, period=PERIOD, as_of=AS_OF, jobs=1)
    return sorted(_key(r.id if r else "PLAT-04", f.org_id, f.member_id, f) for r, f in pairs)


def _stored(run: Run) -> list[str]:
    return sorted(_key(f.rule, f.org_id, f.member_id, f) for f in Finding.objects.filter(run=run))


@pytest.mark.slow
@pytest.mark.parametrize(
    "weights",
    [{}, {"LIFE-04": 100.0, "STUDY-01": 100.0}],
    ids=["by-rule", "heavy-local-rules-cut-by-subtree"],
)
def test_a_parallel_run_stores_what_a_serial_run_finds(database, monkeypatch, weights):
    monkeypatch.setattr(parallel, "WEIGHTS", {**parallel.WEIGHTS, **weights})
    for rule_id in weights:  # rules whose roots' own findings read their own rows only
        _replace(monkeypatch, [rule_id], shard="subtree")
    assert len(database) == 1 and Org.objects.count() >= parallel.PARALLEL_MIN_ORGS
    serial = _serial(database)
    run = run_check(roots=database, period=PERIOD, as_of=AS_OF, jobs=2).run
    assert len(serial) > 300
    assert _stored(run) == serial
    rules = {json.loads(k)[0] for k in serial}
    assert {"LIFE-04", "STUDY-01"} <= rules and any(r.startswith("ORG-") for r in rules)


def _replace(monkeypatch: pytest.MonkeyPatch, rule_ids: list[str], **changes: Any) -> None:
    """In this (the coordinator's) process; the shard processes, forked later, see it too."""
    load_rules()
    for rule_id in rule_ids:
        monkeypatch.setitem(RULES, rule_id, dataclasses.replace(RULES[rule_id], **changes))


KILLED: list[int] = []


def _kill_shard_processes(ctx: Any) -> list[Any]:
    """Kill the shard processes while they evaluate (this rule runs in the coordinator)."""
    deadline = time.monotonic() + 30
    while not multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)
    for process in multiprocessing.active_children():
        os.kill(process.pid, signal.SIGKILL)
        KILLED.append(process.pid)
    return []


def _raise(ctx: Any) -> list[Any]:
    raise RuntimeError("规则内部错误")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fn", "message"),
    [(_kill_shard_processes, "意外退出"), (_raise, "规则内部错误")],
    ids=["a-shard-process-killed", "a-shard-raises"],
)
def test_a_failed_shard_stores_nothing_and_keeps_the_previous_run(
    database, monkeypatch, fn, message
):
    rules = ["LIFE-04", "STUDY-01"]
    previous = run_check(roots=database, period=PERIOD, as_of=AS_OF, rule_ids=rules, jobs=1).run
    kept = _stored(previous)
    runs = Run.objects.count()
    _replace(monkeypatch, rules, fn=fn)
    with pytest.raises(ShardFailed, match=message) as failed:
        run_check(roots=database, period=PERIOD, as_of=AS_OF, rule_ids=rules, jobs=2)
    assert "此前的检查结果保持不变" in str(failed.value)
    assert Run.objects.count() == runs
    assert _stored(previous) == kept
    assert not multiprocessing.active_children()
    assert fn is _raise or KILLED


def _children_of(pid: int) -> list[int]:
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError), open(stat) as file:
            fields = file.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(stat.split("/")[2]))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc, prctl: Linux")
def test_a_killed_coordinator_stores_nothing_and_leaves_no_shard_process(database):
    runs = Run.objects.count()
    command = [sys.executable, "-m", "xianfeng.cli", "check", "--jobs", "3"]
    command += ["--period", "2025", "--as-of", AS_OF.isoformat(), "--format", "json"]
    coordinator = subprocess.Popen(command, env=_cli_env(), stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    shards: list[int] = []
    while len(shards) < 2 and coordinator.poll() is None and time.monotonic() < deadline:
        shards = _children_of(coordinator.pid)
        time.sleep(0.05)
    coordinator.kill()  # its processes have started: the evaluation has not ended
    coordinator.wait()
    assert len(shards) == 2
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in shards) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in shards if _alive(pid)]
    assert Run.objects.count() == runs


# --- PostgreSQL: the shards as tasks on the queue -------------------------------------------


def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("shards on the queue read the coordinator's snapshot: PostgreSQL only")


def _cli_env() -> dict[str, str]:
    """The environment of a `xianfeng` command on the test database."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        folder = os.path.dirname(settings_dict["NAME"])
        return {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
            "XIANFENG_VAR_DIR": folder
        }
    url = (
        f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD']}@"
        f"{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
    )
    return {**os.environ, "DATABASE_URL": url}


def _worker_loop(stop: threading.Event) -> None:
    """`xianfeng worker --batch` against the test database, again and again until stopped
    (a separate process, as on another machine)."""
    while not stop.is_set():
        subprocess.run(
            [sys.executable, "-m", "xianfeng.cli", "worker", "--batch"],
            env=_cli_env(),
            check=False,
            capture_output=True,
            timeout=300,
        )
        time.sleep(0.2)


@pytest.mark.slow
def test_on_postgresql_a_worker_runs_the_queued_shards(database, settings):
    from django_tasks_db.models import DBTaskResult

    _postgres_only()
    settings.XIANFENG_CHECK_SHARDS_ON_QUEUE = True
    settings.XIANFENG_CHECK_SHARD_WAIT = 240
    serial = _serial(database)
    stop = threading.Event()
    worker = threading.Thread(target=_worker_loop, args=(stop,))
    worker.start()
    started = time.monotonic()
    try:
        run = run_check(roots=database, period=PERIOD, as_of=AS_OF, jobs=2).run
    finally:
        stop.set()
        worker.join()
    assert time.monotonic() - started < 240  # the worker's result, not the coordinator's own
    assert _stored(run) == serial
    assert not DBTaskResult.objects.filter(task_path__endswith="shard_task").exists()


@pytest.mark.slow
def test_on_postgresql_with_no_worker_the_coordinator_evaluates_the_shards_itself(
    database, settings
):
    from django_tasks_db.models import DBTaskResult

    _postgres_only()
    settings.XIANFENG_CHECK_SHARDS_ON_QUEUE = True
    settings.XIANFENG_CHECK_SHARD_WAIT = 0.5
    serial = _serial(database)
    run = run_check(roots=database, period=PERIOD, as_of=AS_OF, jobs=3).run
    assert _stored(run) == serial
    assert not DBTaskResult.objects.filter(task_path__endswith="shard_task").exists()


# --- the commands -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_check_refuses_a_job_count_below_one(tree):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--jobs 应为不小于 1 的整数") as refused:
        call_command("compliance_check", "--jobs", "0")
    assert refused.value.returncode == 2


@pytest.mark.django_db
def test_bench_check_reports_serial_and_parallel_against_the_floor(tree, capsys):
    call_command("bench", "check", "--jobs", "2", "--period", "2025")
    report = json.loads(capsys.readouterr().out)
    assert report["jobs"] == 2 and report["cores"] == os.cpu_count()
    assert report["identical"] is True
    assert report["serial_s"] > 0 and report["parallel_s"] > 0 and report["floor_s"] >= 0
    assert set(report["groups"]) == {"ORG", "LIFE", "STUDY", "TASK", "DEV", "MEM", "DUES"}
    assert all({"serial_s", "floor_s", "ratio"} <= set(g) for g in report["groups"].values())
