"""Shards of a parallel run as tasks on the project's queue (PostgreSQL; issue 15 item 2).

With `XIANFENG_CHECK_SHARDS_ON_QUEUE` on, the coordinator of a run puts every shard but
its own on the queue (`shard_task`); any `xianfeng worker` pointed at the same database,
on this machine or another, runs one: it reads the coordinator's exported snapshot and
returns the findings as the task's return value (JSON: evidence is JSON already, as the
Finding rows store it). The coordinator evaluates its own shard meanwhile, then collects.
A shard no worker has picked up within `XIANFENG_CHECK_SHARD_WAIT` seconds is taken back
from the queue and evaluated by the coordinator itself, in the same snapshot, so a run
never waits on workers that are busy or absent. A shard that fails on a worker fails the
run (nothing stored). The task rows are deleted once the run has its findings.

Used only on PostgreSQL (a SQLite shard could not read the coordinator's snapshot) and for
runs without policy overrides (their values would not survive JSON unchanged).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django_tasks import task

from .parallel import Findings, Piece, ShardFailed, Task, shard_main
from .registry import Found
from .snapshot import outside_snapshot

POLL_SECONDS = 0.2
Outcome = tuple[Findings, dict[str, float]]
Evaluate = Callable[[list[Piece]], Outcome]


@task()
def shard_task(*, run: dict[str, Any], pieces: list[dict[str, Any]]) -> dict[str, Any]:
    """Evaluate one shard of a parallel run in the run's snapshot (run by `xianfeng worker`)."""
    chosen = [_piece(p) for p in pieces]
    found, timings = shard_main(_task(run), chosen)
    return {
        "found": [[dataclasses.asdict(f) for f in found[piece]] for piece in chosen],
        "timings": timings,
    }


def _task(run: dict[str, Any]) -> Task:
    return Task(
        root_ids=tuple(run["root_ids"]),
        period=run["period"],
        as_of=dt.date.fromisoformat(run["as_of"]),
        overrides=None,
        snapshot=run["snapshot"],
    )


def _piece(row: dict[str, Any]) -> Piece:
    return Piece(row["rule"], row["weight"], tuple(row["children"]), row["alone"])


def _row(piece: Piece) -> dict[str, Any]:
    return {"rule": piece.rule, "weight": piece.weight, "children": list(piece.children),
            "alone": piece.alone}  # fmt: skip


def _decode(pieces: list[Piece], value: dict[str, Any]) -> Outcome:
    found = {
        piece: [Found(**row) for row in rows]
        for piece, rows in zip(pieces, value["found"], strict=True)
    }
    return found, value["timings"]


def run_on_queue(
    task_: Task, own: list[Piece], others: list[list[Piece]], evaluate: Evaluate
) -> list[Outcome]:
    """Queue the `others` shards, evaluate `own` meanwhile, then collect (taking back what
    no worker picked up in time). Called inside the coordinator's snapshot; `evaluate`
    evaluates pieces in it."""
    from django_tasks_db.models import DBTaskResult

    run = {"root_ids": list(task_.root_ids), "period": task_.period,
           "as_of": task_.as_of.isoformat(), "snapshot": task_.snapshot}  # fmt: skip
    with outside_snapshot():
        queued = {
            str(shard_task.enqueue(run=run, pieces=[_row(p) for p in pieces]).id): pieces
            for pieces in others
        }
    ids = list(queued)
    try:
        return [evaluate(own), *_collect(queued, evaluate)]
    finally:
        with outside_snapshot():
            DBTaskResult.objects.filter(id__in=ids).delete()


def _collect(queued: dict[str, list[Piece]], evaluate: Evaluate) -> list[Outcome]:
    """The queued shards' outcomes as workers finish them; after the wait, the shards not
    yet picked up are evaluated here, and after `XIANFENG_CHECK_SHARD_LIMIT` every one."""
    results: list[Outcome] = []
    wait = time.monotonic() + settings.XIANFENG_CHECK_SHARD_WAIT
    limit = time.monotonic() + settings.XIANFENG_CHECK_SHARD_LIMIT
    while queued:
        results += _finished(queued)
        now = time.monotonic()
        if queued and now > wait:
            taken = _take_back(list(queued)) if now < limit else list(queued)
            results += [evaluate(queued.pop(pk)) for pk in taken]
        if queued:
            time.sleep(POLL_SECONDS)
    return results


def _finished(queued: dict[str, list[Piece]]) -> list[Outcome]:
    """The outcomes of the queued shards workers have finished (removed from `queued`)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    with outside_snapshot():
        rows = list(
            DBTaskResult.objects.filter(id__in=list(queued)).values_list(
                "id", "status", "return_value", "exception_class_path"
            )
        )
    done = []
    for pk, status, value, error in rows:
        if status == TaskResultStatus.SUCCESSFUL:
            done.append(_decode(queued.pop(str(pk)), value or {}))
        elif status == TaskResultStatus.FAILED:
            raise ShardFailed(
                f"并行检查的一个分片在后台任务进程中出错（{error}）；"
                "本次检查结果未保存，此前的检查结果保持不变"
            )
    return done


def _take_back(ids: list[str]) -> list[str]:
    """The shards still waiting on the queue, removed from it (no worker will run them)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    with outside_snapshot():
        return [
            pk
            for pk in ids
            if DBTaskResult.objects.filter(id=pk, status=TaskResultStatus.READY).delete()[0]
        ]
