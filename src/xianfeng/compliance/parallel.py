"""Evaluating one run in several processes (issue 15 item 2).

A full check is split into shards: the chosen rules are binned by weight (their seconds
on the city demo, `WEIGHTS`, or the timings the caller measured), heaviest first into the
lightest bin, a rule group (ORG, LIFE, STUDY: rules that share reads) kept together while
it weighs no more than a fair share, a heavier one split rule by rule, or cut by subtree
as a whole when all its rules may be. A rule that declares `shard="subtree"` and
outweighs a bin's fair share is cut into pieces: whole children of the root, binned by
org count, plus the roots judged alone (their own findings, `Context.only_ids`). No rule
declares it yet: `local` is not enough, since a root's own findings may read rows placed
below it (LIFE-08 pairs the root's leadership, who are members of branches; judged alone
it found other pairs). The default `shard="rule"` never cuts a rule; a rule that ranks
orgs or members within a committee (the coming warning tier, the weak-branch list) keeps
it (splitting it by whole committees is the hook left for it).

The coordinator opens its read-only snapshot, evaluates the calendar note and the first
shard itself and hands the others to a pool of processes, each on its own read-only
connection. The processes are forked before the snapshot opens,
with every connection closed (`shard_pool`; "spawn", a clean interpreter running
`django.setup()`, where fork is not available):

- PostgreSQL: every shard reads the coordinator's snapshot (`pg_export_snapshot`,
  `SET TRANSACTION SNAPSHOT`), so the merged run is exactly what a serial run of that
  moment would find.
- SQLite cannot share a snapshot: each shard reads its own WAL snapshot, taken when it
  starts (a second or so after the coordinator's). A write committed in between may be
  seen by some shards and not others; the write marks the run stale anyway (freshness)
  and the re-check that follows sees it everywhere.

On PostgreSQL the shards may instead be tasks on the project's queue, run by any
`xianfeng worker` pointed at the database (`XIANFENG_CHECK_SHARDS_ON_QUEUE`,
compliance.shard_queue).

The findings are merged in the order of the chosen rules and stored by the engine in
its one short write. A shard that raises, or a process that dies, stores nothing: the
previous run stays as it was and `ShardFailed` says so.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import math
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .registry import Context, Found, Rule

# Below this many orgs a run is evaluated in one process: each shard repeats the reads
# rules share (org tree, policy layers, the shared facts), which a small scope never repays.
PARALLEL_MIN_ORGS = 500
# Seconds of the heavier rules, all rules of the city demo on SQLite (issue 15).
WEIGHTS: dict[str, float] = {
    "STUDY-01": 8.4,
    "LIFE-04": 7.0,
    "LIFE-08": 4.9,
    "LIFE-02": 4.5,
}
DEFAULT_WEIGHT = 0.8
PR_SET_PDEATHSIG = 1  # prctl(2)
Pool = ProcessPoolExecutor


class ShardFailed(RuntimeError):
    """A shard of a parallel run failed; nothing was stored."""


@dataclass(frozen=True)
class Piece:
    """One rule over part of the scope: the run's roots (`children` empty), whole
    children of the roots, or the roots alone."""

    rule: str
    weight: float
    children: tuple[int, ...] = ()
    alone: bool = False

    @property
    def scope(self) -> tuple[tuple[int, ...], bool]:
        return self.children, self.alone


@dataclass
class Shard:
    pieces: list[Piece] = field(default_factory=list)

    @property
    def weight(self) -> float:
        return sum(p.weight for p in self.pieces)


def _bins(sizes: dict[int, float], count: int) -> list[list[int]]:
    """Keys of `sizes` in `count` bins of about equal total size (heaviest first into
    the lightest bin); deterministic."""
    bins: list[list[int]] = [[] for _ in range(count)]
    totals = [0.0] * count
    for key in sorted(sizes, key=lambda k: (-sizes[k], k)):
        lightest = totals.index(min(totals))
        bins[lightest].append(key)
        totals[lightest] += sizes[key]
    return [sorted(b) for b in bins if b]


def _pieces(
    rule: str, shard_by: str, weight: float, fair: float, jobs: int, children: dict[int, float]
) -> list[Piece]:
    """The rule whole, or cut by subtree when it may be and outweighs a fair share."""
    if shard_by != "subtree" or weight <= fair or len(children) < 2:
        return [Piece(rule, weight)]
    count = min(jobs, len(children), math.ceil(weight / fair))
    total = sum(children.values()) or 1.0
    cut = [
        Piece(rule, weight * sum(children[c] for c in ids) / total, children=tuple(ids))
        for ids in _bins(children, count)
    ]
    return [*cut, Piece(rule, 0.0, alone=True)]


def _units(
    members: list[tuple[str, str]],
    weight: dict[str, float],
    fair: float,
    jobs: int,
    children: dict[int, float],
) -> list[list[Piece]]:
    """A rule group's pieces in units each placed in one shard: the group whole (its
    rules share reads through the context's memo); when it outweighs a fair share, cut
    by subtree as a whole if every rule may be, else rule by rule (`_pieces`)."""
    total = sum(weight[rule] for rule, _by in members)
    if total <= fair:
        return [[Piece(rule, weight[rule]) for rule, _by in members]]
    if len(children) < 2 or any(by != "subtree" for _rule, by in members):
        return [
            [p]
            for rule, by in members
            for p in _pieces(rule, by, weight[rule], fair, jobs, children)
        ]
    size = sum(children.values()) or 1.0
    units = []
    for ids in _bins(children, min(jobs, len(children), math.ceil(total / fair))):
        share = sum(children[c] for c in ids) / size
        units.append(
            [Piece(rule, weight[rule] * share, children=tuple(ids)) for rule, _by in members]
        )
    return [*units, [Piece(rule, 0.0, alone=True) for rule, _by in members]]


def group_of(rule_id: str) -> str:
    """The rule group (ORG, LIFE, STUDY …): the rule ID's prefix."""
    return rule_id.split("-")[0]


def plan(
    rules: list[tuple[str, str]],
    jobs: int,
    *,
    weights: dict[str, float] | None = None,
    children: dict[int, float] | None = None,
) -> list[Shard]:
    """Shards for `rules` ((id, shard_by) pairs) in at most `jobs` processes.

    A rule group stays in one shard while it weighs no more than a fair share (its rules
    share reads); a heavier one is cut (`_units`). Units go heaviest first into the
    lightest shard. `weights`: seconds per rule (default `WEIGHTS`, others
    `DEFAULT_WEIGHT`); `children`: the roots' children (org id → org count of its
    subtree), which "subtree" rules may be cut into. Empty shards are left out; the
    heaviest shard comes first."""
    table = {**WEIGHTS, **(weights or {})}
    weight = {rule: max(table.get(rule, DEFAULT_WEIGHT), 0.01) for rule, _by in rules}
    fair = sum(weight.values()) / max(jobs, 1)
    groups: dict[str, list[tuple[str, str]]] = {}
    for rule, by in rules:
        groups.setdefault(group_of(rule), []).append((rule, by))
    units = [
        unit
        for members in groups.values()
        for unit in _units(members, weight, fair, jobs, children or {})
    ]
    shards = [Shard() for _ in range(max(jobs, 1))]
    for unit in sorted(units, key=lambda u: -sum(p.weight for p in u)):  # stable on ties
        min(shards, key=lambda s: s.weight).pieces.extend(unit)
    return sorted((s for s in shards if s.pieces), key=lambda s: -s.weight)


@dataclass(frozen=True)
class Task:
    """What every shard of one run evaluates (sent to the processes)."""

    root_ids: tuple[int, ...]
    period: str
    as_of: dt.date
    overrides: dict[str, Any] | None
    snapshot: str | None  # PostgreSQL: the coordinator's exported snapshot


Findings = dict[Piece, list["Found"]]
Outcome = tuple[Findings, dict[str, float]]
Queue = Callable[
    [Task, list[Piece], list[list[Piece]], Callable[[list[Piece]], Outcome]], list[Outcome]
]


def worth_sharding(roots: list[Any]) -> bool:
    """A scope large enough to repay starting processes (dissolved orgs counted too)."""
    from django.db.models import Q

    from xianfeng.orgs.models import Org

    scope = Q(pk__in=[])
    for root in roots:
        scope |= Q(path__startswith=root.path)
    return Org.objects.filter(scope)[:PARALLEL_MIN_ORGS].count() >= PARALLEL_MIN_ORGS


def queue_wanted(overrides: dict[str, Any] | None) -> bool:
    """Shards go to the task queue (compliance.shard_queue): when the setting says so, on
    PostgreSQL (a shared snapshot), for a run without policy overrides."""
    from django.conf import settings
    from django.db import connection

    return bool(
        settings.XIANFENG_CHECK_SHARDS_ON_QUEUE
        and connection.vendor == "postgresql"
        and not overrides
    )


@contextmanager
def shard_pool(jobs: int, overrides: dict[str, Any] | None) -> Iterator[Pool | None]:
    """The processes of a parallel run, started before its snapshot opens (None: one
    process, or the shards go to the queue).

    Forked where the platform can (Linux): a child starts in milliseconds with Django set
    up and the rules loaded, where "spawn" took seconds to import them. Every connection
    is closed first, so no child inherits a socket or an SQLite lock; each opens its own.
    """
    if jobs <= 1 or queue_wanted(overrides):
        yield None
        return
    from django.conf import settings
    from django.db import connection, connections

    database = dict(connection.settings_dict)
    connections.close_all()
    methods = multiprocessing.get_all_start_methods()
    pool = ProcessPoolExecutor(
        max_workers=jobs - 1,
        mp_context=multiprocessing.get_context("fork" if "fork" in methods else "spawn"),
        initializer=start_process,
        initargs=(
            os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE,
            database,
            os.getpid(),
        ),
    )
    try:
        list(pool.map(_ready, range(jobs - 1)))  # every process started, before the snapshot
        yield pool
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()


def _ready(_index: int) -> int:
    return os.getpid()


def evaluate_in_shards(
    ctx: Context,
    chosen: list[Rule],
    *,
    jobs: int,
    pool: Pool | None,
    queue: Queue | None = None,
    overrides: dict[str, Any] | None = None,
    timings: dict[str, float] | None = None,
    weights: dict[str, float] | None = None,
) -> list[tuple[Rule | None, Found]]:
    """The findings of `chosen` in `ctx` (open snapshot), evaluated in `jobs` shards: the
    first here, the others in the `pool`'s processes or on the queue."""
    from .snapshot import export_snapshot

    shards = plan([(r.id, r.shard) for r in chosen], jobs, weights=weights, children=_children(ctx))
    task = Task(
        root_ids=tuple(r.pk for r in ctx.roots),
        period=ctx.period.label,
        as_of=ctx.as_of,
        overrides=overrides,
        snapshot=export_snapshot(),
    )
    found: Findings = {}
    for result, seconds in _run_shards(ctx, task, shards, pool, queue):
        found.update(result)
        for rule, spent in seconds.items():
            if timings is not None:
                timings[rule] = round(timings.get(rule, 0) + spent, 3)
    order = [piece for shard in shards for piece in shard.pieces]
    by_id = {r.id: r for r in chosen}
    return [
        (by_id[rule.id], f)
        for rule in chosen
        for piece in order
        if piece.rule == rule.id
        for f in found[piece]
    ]


def _children(ctx: Context) -> dict[int, float]:
    """The roots' children (dissolved ones too), each with its subtree's org count."""
    from xianfeng.orgs.models import Org

    counts: dict[str, int] = {}
    for org in ctx.orgs():
        for root in ctx.roots:
            if org["path"].startswith(root.path) and len(org["path"]) > len(root.path):
                key = org["path"][: len(root.path) + Org.steplen]
                counts[key] = counts.get(key, 0) + 1
    rows = Org.objects.none()
    for root in ctx.roots:
        rows |= Org.objects.filter(path__startswith=root.path, depth=root.depth + 1)
    return {pk: float(counts.get(path, 0) + 1) for pk, path in rows.values_list("pk", "path")}


def _run_shards(
    ctx: Context, task: Task, shards: list[Shard], pool: Pool | None, queue: Queue | None
) -> Iterable[tuple[Findings, dict[str, float]]]:
    """Every shard's findings and timings: the first here, the others in the pool's
    processes or, without a pool, through `queue` (compliance.shard_queue.run_on_queue)."""
    if len(shards) == 1 or (pool is None and queue is None):
        return [evaluate_pieces(task, [p for s in shards for p in s.pieces], base=ctx)]
    if pool is None:
        assert queue is not None
        return queue(
            task,
            shards[0].pieces,
            [s.pieces for s in shards[1:]],
            lambda pieces: evaluate_pieces(task, pieces, base=ctx),
        )
    futures: list[Future[tuple[Findings, dict[str, float]]]] = []
    try:
        futures = [pool.submit(shard_main, task, s.pieces) for s in shards[1:]]
        results = [evaluate_pieces(task, shards[0].pieces, base=ctx)]
        results += [f.result() for f in futures]
    except BrokenProcessPool as error:
        _stop(pool)
        raise ShardFailed(
            "并行检查的一个分片进程意外退出，本次检查结果未保存，此前的检查结果保持不变"
        ) from error
    except ShardFailed:
        _stop(pool)
        raise
    except Exception as error:
        _stop(pool)
        raise ShardFailed(
            f"并行检查的一个分片出错：{error}；本次检查结果未保存，此前的检查结果保持不变"
        ) from error
    return results


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the pool's processes now (a failed run need not wait for the other shards)."""
    processes = dict(getattr(pool, "_processes", None) or {})  # stdlib has no public list
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes.values():
        if process.is_alive():
            process.terminate()
    for process in processes.values():
        process.join(timeout=10)


def start_process(settings_module: str, database: dict[str, Any], coordinator: int) -> None:
    """A shard process: ended with its coordinator, Django set up, its default database
    the coordinator's."""
    _end_with(coordinator)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.db import connections
    from django.db.utils import load_backend

    connections["default"] = load_backend(database["ENGINE"]).DatabaseWrapper(
        database, alias="default"
    )


def _end_with(coordinator: int) -> None:
    """Linux: the kernel ends this process when the coordinator dies (a killed coordinator
    leaves no shard process waiting for work that will never come)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != coordinator:  # it died before the request took effect
        os._exit(1)


def shard_main(task: Task, pieces: list[Piece]) -> tuple[Findings, dict[str, float]]:
    """Evaluate a shard in this process, on its own read-only snapshot (the task's one on
    PostgreSQL)."""
    from .evaluation import working_memory

    with working_memory(shared=task.snapshot):
        return evaluate_pieces(task, pieces)


def evaluate_pieces(
    task: Task, pieces: list[Piece], base: Context | None = None
) -> tuple[Findings, dict[str, float]]:
    """The pieces' findings (inside a snapshot); pieces over the same part of the scope
    share one context (and its memo). `base`: the coordinator's context of the roots."""
    from xianfeng.lib.dates import parse_period
    from xianfeng.orgs.models import Org

    from .evaluation import apply_rules, context
    from .registry import load_rules

    rules = load_rules()
    found: Findings = {}
    timings: dict[str, float] = {}
    for scope in dict.fromkeys(p.scope for p in pieces):
        children, alone = scope
        if base is not None and scope == ((), False):
            ctx = base
        else:
            ids = children or task.root_ids
            roots = sorted(Org.objects.filter(pk__in=ids), key=lambda o: o.path)
            ctx = context(
                roots=roots,
                period=parse_period(task.period),
                as_of=task.as_of,
                overrides=task.overrides,
            )
            ctx.only_ids = list(task.root_ids) if alone else None
        for piece in (p for p in pieces if p.scope == scope):
            pairs = apply_rules(ctx, [rules[piece.rule]], timings)
            found[piece] = [f for _rule, f in pairs if not alone or f.org_id in task.root_ids]
    return found, timings
