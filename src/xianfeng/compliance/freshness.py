"""Keeping findings current (PLAT-04): a write marks the runs that read it as stale and
the worker evaluates them again.

Every tracked model's change passes through django-simple-history, so one receiver sees
every write made through a domain function; bulk imports call `mark_changed` themselves.
The runs marked are the latest non-hypothetical run of every scope that contains the
touched org: re-evaluating a scope re-evaluates the touched org and every ancestor whose
counts include it. Marks are coalesced: a run already marked is not queued again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import task
from simple_history.signals import post_create_historical_record

from xianfeng.core.importing import data_imported
from xianfeng.lib.dates import parse_period, today
from xianfeng.orgs.models import Org

from .models import Run
from .tasks import persist

log = logging.getLogger(__name__)
RECENT_RUNS = 500  # scopes are few; the latest runs of each are among these
RECHECK_VIA = "worker: 数据变更后重新检查"


class _Batch:
    """One commit callback per transaction and action, gathering the org ids of its writes."""

    def __init__(self, action: Any, key: str) -> None:
        self.action, self.key = action, key
        self.ids: set[int] = set()

    def __call__(self) -> None:
        self.action(self.ids)


def _gather(org_ids: Iterable[int], action: Any, key: str) -> None:
    """Run `action(ids)` once after the current transaction commits, with every id given."""
    ids = {i for i in org_ids if i}
    if not ids:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for entry in connection.run_on_commit:
            if isinstance(entry[1], _Batch) and entry[1].key == key:
                entry[1].ids |= ids
                return
    batch = _Batch(action, key)
    batch.ids |= ids
    transaction.on_commit(batch)


def mark_changed(org_ids: Iterable[int]) -> None:
    """After the current transaction commits, mark and queue the runs covering these orgs.

    A transaction writing a thousand rows marks once: its writes join one callback.
    """
    _gather(org_ids, _mark, "mark")


def patch_changed(org_ids: Iterable[int], app: str) -> None:
    """After commit, queue the re-evaluation of `app`'s rules over the touched subtrees."""
    _gather(org_ids, lambda ids: _queue_patch(ids, app), f"patch:{app}")


def _queue_patch(org_ids: set[int], app: str) -> None:
    try:
        patch_task.enqueue(org_ids=sorted(org_ids), app=app)
    except Exception:  # a missing queue must never undo the write that was made
        log.exception("could not queue the re-evaluation of %s for orgs %s", app, org_ids)


# Apps whose rules also read another app's data: a write in the key app re-evaluates them
# too (study hours count the party lessons and study sessions members attended).
READERS: dict[str, tuple[str, ...]] = {"orglife": ("study",)}


def patch(org_ids: Iterable[int], app: str) -> int:
    """Re-evaluate the rules of `app` and its READERS over each touched subtree in the current runs.

    Only when every rule of the app is local (a write there changes findings of that
    subtree alone); otherwise the covering runs are marked for a full re-check. A party
    group's change is evaluated at its branch, where its members' findings live.
    Returns the number of subtrees patched.
    """
    from .engine import patch_run
    from .registry import load_rules

    apps = {app, *READERS.get(app, ())}
    rules = [r for r in load_rules().values() if r.app in apps]
    if not rules:
        return 0
    if not all(r.local for r in rules):
        _mark(set(org_ids))
        return 0
    roots = _patch_roots(org_ids)
    latest = [r for r in current_runs().values() if r.stale_since is None]
    codes = {code for run in latest for code in run.scope}
    path_of = dict(Org.objects.filter(code__in=codes).values_list("code", "path"))
    patched = 0
    for run in latest:
        scope = [path_of[c] for c in run.scope if c in path_of]
        chosen = [r.id for r in rules if not run.rules or r.id in run.rules]
        for root in roots:
            if chosen and any(root.path.startswith(p) for p in scope):
                patch_run(run=run, root=root, rule_ids=chosen, as_of=max(run.as_of, today()))
                patched += 1
    return patched


def _patch_roots(org_ids: Iterable[int]) -> list[Org]:
    """The touched orgs (a party group replaced by its branch), none inside another."""
    from xianfeng.orgs.models import OrgKind

    orgs = list(Org.objects.filter(pk__in=set(org_ids)))
    paths = {
        o.path[: -Org.steplen] if o.kind == OrgKind.PARTY_GROUP and o.depth > 1 else o.path
        for o in orgs
    }
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return list(Org.objects.filter(path__in=tops).order_by("path"))


def current_runs() -> dict[tuple[str, ...], Run]:
    """The latest run of every scope, leaving out what-if runs with policy overrides."""
    latest: dict[tuple[str, ...], Run] = {}
    for run in Run.objects.filter(overrides={}).order_by("-started_at", "-pk")[:RECENT_RUNS]:
        latest.setdefault(tuple(run.scope), run)
    return latest


def _overlaps(paths: list[str], roots: list[str]) -> bool:
    return any(p.startswith(r) or r.startswith(p) for p in paths for r in roots)


def _mark(org_ids: set[int]) -> None:
    """Mark the current runs whose subtrees contain a touched org or lie inside one (a
    policy or an org's own change reaches everything below it)."""
    paths = list(Org.objects.filter(pk__in=org_ids).values_list("path", flat=True))
    latest = list(current_runs().values())
    codes = {code for run in latest for code in run.scope}
    path_of = dict(Org.objects.filter(code__in=codes).values_list("code", "path"))
    runs = [r for r in latest if _overlaps(paths, [path_of[c] for c in r.scope if c in path_of])]
    fresh = [r.pk for r in runs if r.stale_since is None]
    if not fresh:
        return
    Run.objects.filter(pk__in=fresh, stale_since__isnull=True).update(stale_since=timezone.now())
    for run_id in fresh:
        try:
            recheck_task.enqueue(run_id=run_id)
        except Exception:  # a missing queue must never undo the write that was made
            log.exception("could not queue the re-check of run %s", run_id)


def recheck(run_id: int) -> Run | None:
    """Evaluate a stale run's scope again (as of today); returns the new run, or None."""
    from .engine import run_check

    run = Run.objects.filter(pk=run_id).first()
    if run is None or run.stale_since is None:
        return None
    if current_runs().get(tuple(run.scope), run).pk != run.pk:
        return None  # a newer run of the scope exists: it has, or will get, its own mark
    roots = list(Org.objects.filter(code__in=run.scope))
    began = timezone.now()
    # evaluated on a read-only snapshot; the new run is stored, and an earlier re-check it
    # supersedes deleted (its findings' first-seen dates live on), in one short write
    result = run_check(
        roots=roots,
        period=parse_period(run.period),
        as_of=max(run.as_of, today()),
        rule_ids=run.rules,
        via=RECHECK_VIA,
        supersedes=run if run.via == RECHECK_VIA else None,
        jobs=settings.XIANFENG_CHECK_JOBS,
    )
    _remark_if_changed_meanwhile(result.run, began)
    return result.run


def _remark_if_changed_meanwhile(new: Run, began: Any) -> None:
    """A write that committed while the re-check ran marked the older run; carry it over."""
    later = (
        Run.objects.filter(stale_since__gt=began, overrides={})
        .exclude(pk=new.pk)
        .filter(pk__in=[r.pk for r in _same_scope(new)])
    )
    if later.exists():
        Run.objects.filter(pk=new.pk).update(stale_since=timezone.now())
        recheck_task.enqueue(run_id=new.pk)


def _same_scope(run: Run) -> list[Run]:
    recent = Run.objects.filter(overrides={}).order_by("-started_at", "-pk")[:RECENT_RUNS]
    return [r for r in recent if r.scope == run.scope]


OWNERS = ("plan", "contact_point", "meeting", "member")  # rows whose org is their owner's


def _orgs_of(instance: Any) -> list[int]:
    """The orgs whose findings a change of `instance` can alter."""
    if isinstance(instance, Org):
        return [instance.pk]
    owner = next(
        (getattr(instance, name) for name in OWNERS if getattr(instance, name, None)), None
    )
    found = [getattr(instance, "org_id", None), getattr(owner, "org_id", None)]
    found += [getattr(instance, name, None) for name in ("from_org_id", "to_org_id", "target_id")]
    return [i for i in found if i]


# Apps whose data rules of every app read (org tree, seats, members, policies): a write
# there marks the covering runs for a full re-check. A write elsewhere re-evaluates only
# that app's own rules, over the touched subtree when they are all local.
SHARED_APPS = frozenset({"orgs", "members", "compliance"})


@receiver(post_create_historical_record)
def _history_written(sender: Any, instance: Any, **kwargs: Any) -> None:
    app = instance._meta.app_label
    if app in SHARED_APPS:
        mark_changed(_orgs_of(instance))
    elif _has_rules(app):
        patch_changed(_orgs_of(instance), app)


def _has_rules(app: str) -> bool:
    from .registry import load_rules

    return any(r.app == app for r in load_rules().values())


@receiver(data_imported)
def _data_imported(sender: Any, by: Any = None, **kwargs: Any) -> None:
    """An import writes in bulk without model signals: mark every scope it could touch."""
    from xianfeng.orgs.queries import scope_roots

    roots = scope_roots(by) if by is not None and getattr(by, "pk", None) else None
    if roots is None:
        roots = Org.objects.get_root_nodes()
    mark_changed(org.pk for org in roots)


@task()
def recheck_task(*, run_id: int) -> None:
    """Evaluate a stale run's scope again after a write (PLAT-04)."""
    persist(lambda: recheck(run_id), "数据变更后的重新检查")


@task()
def patch_task(*, org_ids: list[int], app: str) -> None:
    """Re-evaluate an app's local rules over the subtrees a write touched (PLAT-04)."""
    persist(lambda: patch(org_ids, app), "数据变更后的局部重新检查")
