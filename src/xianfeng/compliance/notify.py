"""Telling people about the new findings of a stored run (PLAT-04 → notices).

The engine announces every stored run (`signals.run_stored`, after commit); this module
subscribes (connected in `apps.ready`) and queues `notify_run_task`, which composes one
notice per admin or officer and hands it to the notices service. So the engine does not
import notices, and notices (a service below the registry apps) knows nothing of runs.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from xianfeng.accounts.models import Post, Role
from xianfeng.core.actor import acting_as
from xianfeng.notices.domain import DEMO_VIAS, send_each
from xianfeng.notices.models import Kind, Notice
from xianfeng.orgs.models import Org

from .evidence import evidence_sentence, names_for
from .models import Finding, Run, Severity
from .queries import rules_by_id

# 换届提醒: a term ending soon is a reminder, not a problem; the daily digest tells of it
# (orgs.reminders.term_reminders), so the new-findings notice leaves it out
REMINDER_RULE = "ORG-04"
REMINDER_SEVERITIES = frozenset({Severity.INFO.value, Severity.WARNING.value})
LISTED = 5  # findings quoted in a notice; the link shows them all
SEVERITY_ORDER = {Severity.ERROR.value: 0, Severity.WARNING.value: 1, Severity.INFO.value: 2}
NOTIFY_RUN_KIND = "notices.notify_run"


@dataclass(frozen=True)
class _Row:
    """A new finding, as far as a notice tells of it."""

    rule: str
    severity: str
    message: str
    org_name: str
    path: str
    pk: int = 0

    @property
    def is_reminder(self) -> bool:
        return self.rule == REMINDER_RULE and self.severity in REMINDER_SEVERITIES


@dataclass(frozen=True)
class _Post:
    user_id: int
    org_id: int
    code: str


@dataclass
class _Inbox:
    """What one user is told about a run: the new findings in scope, by scope root."""

    rows: list[_Row] = field(default_factory=list)
    roots: Counter[tuple[int, str]] = field(default_factory=Counter)


def run_key(run: Run) -> str:
    return f"run:{run.pk}"


def _is_demo(run: Run) -> bool:
    return run.via.startswith(DEMO_VIAS)


def _previous_run(run: Run) -> Run | None:
    """The latest earlier run of the same scope and period made without overrides."""
    earlier = Run.objects.filter(scope=run.scope, period=run.period, overrides={}, pk__lt=run.pk)
    return earlier.order_by("-pk").first()


def _new_rows(run: Run, previous: Run | None) -> list[_Row]:
    """The run's findings absent from `previous` (all of them without one), by org path."""
    fields = ("rule", "org_id", "member_id", "period")
    old: set[tuple[Any, ...]] = set()
    if previous is not None:
        old = set(Finding.objects.filter(run=previous).values_list(*fields))
    found = Finding.objects.filter(run=run).order_by("org__path", "rule", "pk")
    columns = (*fields, "severity", "message", "org__name", "org__path", "pk")
    return [
        _Row(row[0], row[4], row[5], row[6], row[7], row[8])
        for row in found.values_list(*columns).iterator(chunk_size=5000)
        if row[:4] not in old
    ]


def _ancestor_paths(path: str) -> list[str]:
    return [path[:end] for end in range(Org.steplen, len(path) + 1, Org.steplen)]


def _posts_by_path(run: Run) -> dict[str, list[_Post]]:
    """Active admin and officer posts of active users above or inside the run's roots."""
    roots = list(Org.objects.filter(code__in=run.scope).order_by().values_list("path", flat=True))
    if not roots:
        return {}
    where = Q(org__path__in={p for root in roots for p in _ancestor_paths(root)})
    for root in roots:
        where |= Q(org__path__startswith=root)
    posts = Post.objects.filter(
        where, is_active=True, user__is_active=True, role__in=[Role.ADMIN, Role.OFFICER]
    )
    by_path: dict[str, list[_Post]] = defaultdict(list)
    for user_id, org_id, code, path in posts.values_list(
        "user_id", "org_id", "org__code", "org__path"
    ):
        by_path[path].append(_Post(user_id, org_id, code))
    return by_path


def _inboxes(rows: list[_Row], posts: dict[str, list[_Post]]) -> dict[int, _Inbox]:
    """Per user, the rows of the orgs their posts cover (paths are prefixes: the posts of
    an org's ancestors and its own are looked up by the prefixes of its path)."""
    inboxes: dict[int, _Inbox] = defaultdict(_Inbox)
    for path, group in groupby(rows, key=lambda row: row.path):
        found = list(group)
        told: set[int] = set()
        for prefix in _ancestor_paths(path):  # the highest post of a user is its root
            for post in posts.get(prefix, ()):
                if post.user_id not in told:
                    told.add(post.user_id)
                    inboxes[post.user_id].rows += found
                    inboxes[post.user_id].roots[(post.org_id, post.code)] += len(found)
    return inboxes


def _rule_lines(rows: list[_Row], titles: dict[str, str]) -> list[str]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        counts[row.rule][row.severity] += 1
    lines = []
    for rule, by_severity in sorted(counts.items()):
        ordered = sorted(by_severity.items(), key=lambda item: SEVERITY_ORDER.get(item[0], 9))
        parts = "，".join(f"{Severity(s).label} {n}" for s, n in ordered)
        lines.append(f"· {rule} {titles.get(rule, '')}：{parts}")
    return lines


def _first(rows: list[_Row]) -> list[_Row]:
    """The findings a notice quotes: errors first, in tree order."""
    return heapq.nsmallest(
        LISTED, rows, key=lambda row: (SEVERITY_ORDER.get(row.severity, 9), row.path, row.rule)
    )


def _problems(inbox: _Inbox) -> list[_Row]:
    """The findings of an inbox a notice tells of (term reminders go to the digest)."""
    return [row for row in inbox.rows if not row.is_reminder]


def _evidence_of_quoted(inboxes: dict[int, _Inbox]) -> dict[int, str]:
    """The evidence in Chinese of every finding some notice quotes (one read for all)."""
    ids = {row.pk for inbox in inboxes.values() for row in _first(_problems(inbox))}
    found = dict(Finding.objects.filter(pk__in=ids).values_list("pk", "evidence"))
    names = names_for(found.values())
    return {pk: evidence_sentence(evidence, names) for pk, evidence in found.items() if evidence}


def _quoted(rows: list[_Row], evidence: dict[int, str]) -> list[str]:
    """The findings quoted, each with its evidence on the next line."""
    lines = []
    for row in rows:
        lines.append(f"· {row.org_name}：{row.message}")
        if row.pk in evidence:
            lines.append(f"  {evidence[row.pk]}")
    return lines


def _body(
    run: Run, rows: list[_Row], titles: dict[str, str], what: str, evidence: dict[int, str]
) -> str:
    lines = [
        f"{run.period} 期间的合规检查（截至 {run.as_of:%Y-%m-%d}）在您负责的范围内"
        f"{what} {len(rows)} 条：",
        *_rule_lines(rows, titles),
        "",
        "其中：",
        *_quoted(_first(rows), evidence),
    ]
    if len(rows) > LISTED:
        lines.append(f"…… 另有 {len(rows) - LISTED} 条，请打开链接查看。")
    return "\n".join(lines)


def _notices_for(
    run: Run, user_id: int, inbox: _Inbox, titles: dict[str, str], evidence: dict[int, str]
) -> list[Notice]:
    (org_id, code), _count = inbox.roots.most_common(1)[0]
    common = {
        "user_id": user_id,
        "url": reverse("compliance:org_findings", kwargs={"code": code}),
        "org_id": org_id,
        "key": run_key(run),
        "created_at": timezone.now(),
    }
    findings = _problems(inbox)
    if not findings:
        return []
    title = f"合规检查新发现 {len(findings)} 条（{run.period}）"
    body = _body(run, findings, titles, "新发现", evidence)
    return [Notice(kind=Kind.NEW_FINDINGS, title=title, body=body, **common)]


def _rule_titles() -> dict[str, str]:
    return {rule_id: rule.title for rule_id, rule in rules_by_id().items()}


def notify_run(run_id: int) -> int:
    """Tell the admins and officers of a scope about the new findings of a stored run.

    A finding is new when the previous run of the same scope and period (made without
    policy overrides) has no finding with the same (rule, org, member, period); without a
    previous run every finding is new. Runs made with overrides (what-if) and runs of the
    demo loader (`DEMO_VIAS`) notify nobody. Every active user holding an admin or officer
    post whose subtree contains a new finding's org gets one notice per run: counts by
    rule and severity, the first few findings, a link to the findings page of their scope
    root. ORG-04 reminders (info, warning) go into a separate notice of kind reminder.
    Idempotent: the notices carry the key "run:<id>", so a second call sends nothing.
    Returns the number of notices sent. Side effects: those of `send_notice`.
    """
    run = Run.objects.filter(pk=run_id).first()
    if run is None or run.overrides or _is_demo(run):
        return 0
    if Notice.objects.filter(key=run_key(run)).exists():
        return 0
    rows = _new_rows(run, _previous_run(run))
    if not rows:
        return 0
    inboxes = _inboxes(rows, _posts_by_path(run))
    titles = _rule_titles() if inboxes else {}
    evidence = _evidence_of_quoted(inboxes) if inboxes else {}
    notices = [
        notice
        for user_id, inbox in sorted(inboxes.items())
        for notice in _notices_for(run, user_id, inbox, titles, evidence)
    ]
    return len(send_each(notices))


@task()
def notify_run_task(run_id: int) -> int:
    """Notify the scope's admins and officers of a stored run's new findings (idempotent)."""
    with acting_as(None, f"worker: {NOTIFY_RUN_KIND} {run_id}"):
        return notify_run(run_id)


def on_run_stored(sender: Any, run: Run, **kwargs: Any) -> None:
    """Queue the notices of a stored run (what-if runs with overrides tell nobody)."""
    if not run.overrides:
        notify_run_task.enqueue(run_id=run.pk)
