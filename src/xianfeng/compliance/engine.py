"""Evaluating rules over subtrees and storing the findings (PLAT-04)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import Min, Q

from xianfeng.core.history import current_via
from xianfeng.lib.dates import Period, parse_period
from xianfeng.lib.sql import refresh_statistics
from xianfeng.orgs.models import Org

from .evaluation import apply_rules, context, working_memory
from .models import Finding, Run
from .parallel import evaluate_in_shards, shard_pool, worth_sharding
from .registry import SMALL_SCOPE, Context, Found, Rule, load_rules
from .shard_queue import run_on_queue
from .signals import run_stored
from .snapshot import separate_reads_possible

CALENDAR_RULE = "PLAT-04"
log = logging.getLogger(__name__)


@dataclass
class Result:
    run: Run
    findings: list[Finding]
    rules: dict[str, Rule]


def _calendar_notes(ctx: Context) -> list[Found]:
    years = ctx.calendar.unconfirmed_years(ctx.period.start, ctx.period.end)
    if not years:
        return []
    names = "、".join(str(y) for y in years)
    message = (
        f"{names}年的法定节假日安排尚未核对国务院办公厅通知，节假日与调休按程序推算，"
        "涉及节假日的检查结果可能不准确；请管理员核对后确认该年份。"
    )
    return [
        Found(
            org_id=root.pk,
            period=ctx.period.label,
            severity="info",
            message=message,
            evidence={"unconfirmed_years": years},
        )
        for root in ctx.roots
    ]


def _fresh_statistics(roots: list[Any]) -> None:
    """On SQLite, sample the tables' statistics before a large check (0.02 s on a city):
    its planner has no other way to learn that a branch's members are few and a city's
    meetings many, and a branch re-checked inside the run (after a meeting is saved) is
    read by the right indexes. PostgreSQL keeps its own.

    It writes (briefly), so it runs before the read-only snapshot opens, and is skipped
    with a one-line log when the database stays locked."""
    if connection.vendor != "sqlite":
        return
    scope = Q(pk__in=[])
    for root in roots:
        scope |= Q(path__startswith=root.path)
    if Org.objects.filter(scope)[: SMALL_SCOPE + 1].count() <= SMALL_SCOPE:
        return
    try:
        refresh_statistics()
    except OperationalError as error:
        log.warning("检查前未能更新查询统计信息（已跳过）：%s", error)


def evaluate(
    *,
    roots: list[Any],
    period: Period,
    as_of: dt.date,
    rule_ids: Iterable[str] = (),
    overrides: dict[str, Any] | None = None,
    timings: dict[str, float] | None = None,
    jobs: int = 1,
) -> tuple[list[tuple[Rule | None, Found]], int]:
    """Run the chosen (default: all) rules; returns (rule, found) pairs and the org count.

    `timings`, when given, receives each rule's seconds (reads shared through `ctx.memo`
    count for the first rule that makes them); the benchmark reports them. With `jobs`
    above 1 a large scope is split into shards evaluated in that many processes
    (compliance.parallel); the findings are the same."""
    _fresh_statistics(roots)
    rules = load_rules()
    chosen = [rules[r] for r in rule_ids] if rule_ids else list(rules.values())
    # other processes see only what is committed: not the caller's open transaction
    if jobs > 1 and not (chosen and separate_reads_possible() and worth_sharding(roots)):
        jobs = 1
    with shard_pool(jobs, overrides) as pool, working_memory():
        ctx = context(roots=roots, period=period, as_of=as_of, overrides=overrides)
        found: list[tuple[Rule | None, Found]] = [(None, f) for f in _calendar_notes(ctx)]
        if jobs > 1:
            found += evaluate_in_shards(
                ctx,
                chosen,
                jobs=jobs,
                pool=pool,
                queue=run_on_queue,
                overrides=overrides,
                timings=timings,
            )
        else:
            found += apply_rules(ctx, chosen, timings)
        return found, len(ctx.orgs())


def run_check(
    *,
    roots: list[Any],
    period: Period,
    as_of: dt.date,
    rule_ids: Iterable[str] = (),
    overrides: dict[str, Any] | None = None,
    by: Any = None,
    via: str | None = None,
    supersedes: Run | None = None,
    jobs: int = 1,
) -> Result:
    """Evaluate on a read-only snapshot, then store the run with its findings (first-seen
    dates carried over) in one short write; `supersedes` is deleted in that same write.
    A run evaluated in `jobs` processes is stored the same way, once every shard is back:
    a shard that fails or is killed stores nothing and leaves the previous run as it was."""
    started = time.perf_counter()
    pairs, orgs = evaluate(
        roots=roots, period=period, as_of=as_of, rule_ids=rule_ids, overrides=overrides, jobs=jobs
    )
    seen = _first_seen_of(pairs)
    with transaction.atomic():
        run = Run.objects.create(
            scope=[r.code for r in roots],
            period=period.label,
            as_of=as_of,
            rules=list(rule_ids),
            overrides={k: v["value"] for k, v in (overrides or {}).items()},
            orgs_evaluated=orgs,
            by=by if getattr(by, "pk", None) else None,
            via=via or current_via(),
        )
        findings = _store(run, pairs, as_of, seen)
        if supersedes is not None:
            supersedes.delete()
        run.seconds = time.perf_counter() - started
        run.save(update_fields=["seconds"])
        # announce the stored run (compliance.notify tells the people in scope what is new)
        transaction.on_commit(lambda: run_stored.send(sender=Run, run=run), robust=True)
    return Result(run=run, findings=findings, rules=load_rules())


Seen = dict[tuple[str, int, int | None, str], dt.date]


def _first_seen_of(pairs: list[tuple[Rule | None, Found]]) -> Seen:
    """The first-seen dates of earlier findings for these (read before the write)."""
    return _first_seen({(p[0].id if p[0] else CALENDAR_RULE, p[1].org_id) for p in pairs})


def _store(
    run: Run,
    pairs: list[tuple[Rule | None, Found]],
    as_of: dt.date,
    seen: Seen,
    replacing: Any = None,
) -> list[Finding]:
    """Write the findings of `pairs` into `run` in place of the `replacing` rows,
    carrying over the first-seen dates in `seen`."""
    if replacing is not None:
        replacing.delete()
    findings = [
        Finding(
            run=run,
            rule=rule.id if rule else CALENDAR_RULE,
            org_id=f.org_id,
            member_id=f.member_id,
            period=f.period,
            severity=f.severity,
            message=f.message,
            evidence=f.evidence,
            first_seen=seen.get(
                (rule.id if rule else CALENDAR_RULE, f.org_id, f.member_id, f.period), as_of
            ),
        )
        for rule, f in pairs
    ]
    Finding.objects.bulk_create(findings, batch_size=2000)
    return findings


def patch_run(*, run: Run, root: Any, rule_ids: list[str], as_of: dt.date) -> int:
    """Re-evaluate local rules over one org's subtree inside a stored run (PLAT-04).

    Rules marked `local` judge each org on its own subtree's data, so after a write at
    `root` their findings there are replaced without evaluating the rest of the scope.
    Evaluation reads a snapshot; only the replacement is written (one short write).
    Returns the number of findings now stored for that subtree and those rules.
    """
    pairs, _orgs = evaluate(
        roots=[root], period=parse_period(run.period), as_of=as_of, rule_ids=rule_ids
    )
    pairs = [pair for pair in pairs if pair[0] is not None]  # the calendar note stays as is
    subtree = list(Org.objects.filter(path__startswith=root.path).values_list("id", flat=True))
    seen = _first_seen_of(pairs)
    # named ids, not a join on the org path: right after a run is stored PostgreSQL's
    # statistics may still say the findings table is empty, and the join then took 137 s
    old = Finding.objects.filter(run=run, rule__in=rule_ids, org_id__in=subtree)
    with transaction.atomic():
        return len(_store(run, pairs, as_of, seen, replacing=old))


def _first_seen(keys: set[tuple[str, int]]) -> Seen:
    if not keys:
        return {}
    rules = {k[0] for k in keys}
    orgs = {k[1] for k in keys}
    rows = (
        Finding.objects.filter(rule__in=rules, org_id__in=orgs)
        .values("rule", "org_id", "member_id", "period")
        .annotate(first=Min("first_seen"))
    )
    return {(r["rule"], r["org_id"], r["member_id"], r["period"]): r["first"] for r in rows}
