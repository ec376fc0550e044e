"""`xianfeng bench supervision`: the supervision targets of issue 16 on the database at
hand (a demo), with the machine's cores:

- every current finding of the root(s) turned into problem items
  (`supervision.domain.findings.items_from_findings`) ≤ 10 s for the city's ≈20,000,
  timed inside a transaction that is rolled back, so nothing stays written;
- the supervision rules (TASK-…) over the whole tree ≤ 2 s (skipped, with a message,
  where no TASK rule is registered);
- the reviewer's queue page (`supervision:queue`) for the whole tree, p95 ≤ 150 ms under
  N clients of `bench load`'s machinery (skipped, with a message, where the page is not
  there).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from xianfeng.bench import check
from xianfeng.lib.dates import parse_period, today

TARGET_ITEMS_S = 10.0
TARGET_RULES_S = 2.0
TARGET_QUEUE_P95_MS = 150.0
QUEUE = "supervision:queue"


class _RolledBack(Exception):
    """Raised to undo the timed writes."""


def _ratio(measured: float, target: float) -> float:
    return round(measured / target, 2)


def current_findings() -> Any:
    """Every finding of the latest run of each root (what a root admin sees)."""
    from xianfeng.compliance.models import Finding
    from xianfeng.compliance.queries import latest_run_for
    from xianfeng.orgs.models import Org

    query = Q(pk__in=[])
    for root in Org.objects.get_root_nodes():
        run = latest_run_for(root)
        if run is not None:
            query |= Q(run=run, org__path__startswith=root.path)
    return Finding.objects.filter(query)


def time_items_from_findings(day: dt.date) -> dict[str, Any]:
    """(a) Every current finding into items, once, rolled back afterwards."""
    from xianfeng.supervision.domain.findings import items_from_findings

    findings = current_findings()
    count = findings.count()
    if not count:
        return {"skipped": "当前数据库没有检查结果，请先运行 xianfeng check 或生成示范数据"}
    outcome: dict[str, Any] = {}
    try:
        with transaction.atomic():
            start = time.perf_counter()
            result = items_from_findings(findings, by=None, day=day)
            outcome["seconds"] = time.perf_counter() - start
            outcome["created"], outcome["skipped"] = len(result.created), len(result.skipped)
            raise _RolledBack
    except _RolledBack:
        pass
    seconds = outcome["seconds"]
    return {
        "findings": count,
        "created": outcome["created"],
        "skipped_already_linked": outcome["skipped"],
        "seconds": round(seconds, 3),
        "per_1000_s": round(seconds * 1000 / count, 3),
        "target_s": TARGET_ITEMS_S,
        "target_note": "市级示范数据约 20,000 条发现",
        "ratio": _ratio(seconds, TARGET_ITEMS_S),
        "met": seconds <= TARGET_ITEMS_S,
        "rolled_back": True,
    }


def time_task_rules(day: dt.date) -> dict[str, Any]:
    """(b) The TASK rules over every root for the current year, the better of two."""
    from xianfeng.compliance.registry import load_rules

    rules = sorted(r for r in load_rules() if r.startswith("TASK-"))
    if not rules:
        return {"skipped": "本代码中尚未注册督查规则（TASK-…），跳过"}
    period = parse_period(str(day.year))
    return check.time_rules(rules, period=period, as_of=day, target_s=TARGET_RULES_S)


def queue_path() -> str | None:
    """The reviewer queue's path (for the root, where it takes an org), or None."""
    from xianfeng.orgs.models import Org

    root = Org.objects.get_root_nodes().first()
    for args in ([], [root.code] if root is not None else None):
        if args is None:
            continue
        try:
            return reverse(QUEUE, args=args)
        except NoReverseMatch:
            continue
    return None


def time_queue(*, clients: int, seconds: float, account: str, password: str) -> dict[str, Any]:
    """(c) The queue page under `clients` clients without think time (`bench load`'s
    sessions and summaries), on a server this bench starts on a free loopback port."""
    from xianfeng.bench import load
    from xianfeng.core.serving import default_workers

    path = queue_path()
    if path is None:
        return {"skipped": f"本代码中没有审核队列页面（{QUEUE}），跳过"}
    workers = default_workers()
    with load.served(workers) as server:
        host, port = load.loopback_target(server.url)
        drivers = []
        for index in range(clients):
            driver = load.Worker(host, port, account, password, 0.0, seed=index)
            driver.prepare()
            driver.plan = load.Plan(reads=[("queue", "get", path, {})], writes=[])
            driver.warm_up()
            drivers.append(driver)
        started = time.monotonic()
        threads = [
            threading.Thread(target=d.run, args=(started + seconds,), daemon=True) for d in drivers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + load.REQUEST_TIMEOUT + 5)
        elapsed = time.monotonic() - started
    summary = load.summarize([s for d in drivers for s in d.samples], elapsed)
    return {
        "path": path,
        "account": account,
        "clients": clients,
        "workers": workers,
        **summary,
        "target_p95_ms": TARGET_QUEUE_P95_MS,
        "ratio": _ratio(summary["p95_ms"], TARGET_QUEUE_P95_MS),
        "met": summary["p95_ms"] <= TARGET_QUEUE_P95_MS and summary["errors"] == 0,
    }


def run(
    *, clients: int = 4, seconds: float = 10.0, account: str = "demo_admin", password: str = ""
) -> dict[str, Any]:
    from xianfeng.bench.load import DEFAULT_PASSWORD
    from xianfeng.members.models import Member
    from xianfeng.orgs.models import Org

    day = today()
    return {
        "database": connection.vendor,
        "cores": os.cpu_count(),
        "orgs": Org.objects.count(),
        "members": Member.objects.count(),
        "items_from_findings": time_items_from_findings(day),
        "task_rules": time_task_rules(day),
        "reviewer_queue": time_queue(
            clients=clients,
            seconds=seconds,
            account=account,
            password=password or DEFAULT_PASSWORD,
        ),
    }
