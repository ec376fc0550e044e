"""Writing notices: `send_notice` (the one entry for every rule that tells people something),
marking them read, and `notify_run`, which tells the admins and officers of a scope about
the new findings of a compliance run. E-mail goes out after commit when configured."""

from __future__ import annotations

import heapq
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from xianfeng.accounts.models import Post, Role, User
from xianfeng.compliance.models import Finding, Run, Severity
from xianfeng.core.actor import current_actor
from xianfeng.core.history import history_reason
from xianfeng.orgs.models import Org

from .models import Kind, Notice

logger = logging.getLogger(__name__)

REMINDER_RULE = "ORG-04"  # 换届提醒: terms ending soon are reminders, not problems
REMINDER_SEVERITIES = frozenset({Severity.INFO.value, Severity.WARNING.value})
# Runs made while loading demo data (`xianfeng demo`, `xianfeng quickstart`) notify nobody.
DEMO_VIAS = ("cli: xianfeng demo", "cli: xianfeng quickstart", "demo")
LISTED = 5  # findings quoted in a notice; the link shows them all
SEVERITY_ORDER = {Severity.ERROR.value: 0, Severity.WARNING.value: 1, Severity.INFO.value: 2}
SUBJECT_PREFIX = "[先锋] "


# --- sending -----------------------------------------------------------------------------


def _history_defaults() -> dict[str, Any]:
    actor = current_actor()
    return {
        "default_user": actor.user if actor else None,
        "default_change_reason": history_reason(),
    }


def _not_yet_sent(notices: list[Notice]) -> list[Notice]:
    keys = {notice.key for notice in notices if notice.key}
    if not keys:
        return notices
    rows = Notice.objects.filter(key__in=keys).order_by()
    sent = set(rows.values_list("user_id", "kind", "key"))
    return [n for n in notices if not n.key or (n.user_id, n.kind, n.key) not in sent]


def _deliver(notices: list[Notice]) -> list[Notice]:
    """Store the notices not sent before (same user, kind and key) and e-mail them after
    commit."""
    notices = _not_yet_sent(notices)
    for notice in notices:
        notice.clean_fields(exclude=["user", "org"])  # FKs are ids we just read
    if not notices:
        return []
    with transaction.atomic():
        created = bulk_create_with_history(notices, Notice, batch_size=1000, **_history_defaults())
        transaction.on_commit(lambda: email_notices(created), robust=True)
    return created


def send_notice(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str,
    url: str = "",
    org: Org | None = None,
    key: str = "",
) -> list[Notice]:
    """Put one notice into the inbox of every active user of `users`; returns the notices.

    `url` is a link inside the app; with a `key` (e.g. "run:42"), a user who already holds
    a notice of this kind and key gets no second one, so callers may safely repeat.
    Side effects: Notice rows with their history; after commit, when EMAIL_HOST is set,
    one e-mail per notice to users with an address (`emailed_at` set; failures logged).
    """
    now = timezone.now()
    recipients = {user.pk: user for user in users if user.is_active}
    notices = [
        Notice(
            user_id=pk, kind=kind, title=title, body=body, url=url, org=org, key=key, created_at=now
        )
        for pk in recipients
    ]
    return _deliver(notices)


def _message(notice: Notice, address: str) -> EmailMessage:
    body = notice.body
    if notice.url:
        body += f"\n\n查看详情：{settings.SITE_URL}{notice.url}"
    return EmailMessage(
        subject=SUBJECT_PREFIX + notice.title,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )


def _send_each(notices: list[Notice], addresses: dict[int, str]) -> list[Notice]:
    sent: list[Notice] = []
    try:
        with get_connection() as connection:
            for notice in notices:
                try:
                    if connection.send_messages([_message(notice, addresses[notice.user_id])]):
                        sent.append(notice)
                except Exception:
                    logger.exception("通知邮件发送失败（通知 %s）", notice.pk)
    except Exception:
        logger.exception("无法连接邮件服务器 %s", settings.EMAIL_HOST)
    return sent


def email_notices(notices: list[Notice]) -> int:
    """E-mail each notice to its recipient (one mail each) when a mail server is configured.

    Failures are logged, never raised: the notice stays in the inbox either way.
    Side effect: `emailed_at` set on the notices that went out. Returns how many did.
    """
    if not settings.EMAIL_HOST or not notices:
        return 0
    users = User.objects.filter(pk__in={n.user_id for n in notices}, is_active=True)
    addresses = dict(users.exclude(email="").values_list("pk", "email"))
    sent = _send_each([n for n in notices if n.user_id in addresses], addresses)
    now = timezone.now()
    for notice in sent:
        notice.emailed_at = now
    bulk_update_with_history(sent, Notice, ["emailed_at"], **_history_defaults())
    return len(sent)


# --- reading -----------------------------------------------------------------------------


@transaction.atomic
def mark_read(notice: Notice, user: Any) -> Notice:
    """Mark the user's own notice read (once; marking again keeps the first time)."""
    if notice.user_id != user.pk:
        raise PermissionDenied("只能将自己的通知标为已读")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


@transaction.atomic
def mark_all_read(user: Any) -> int:
    """Mark every unread notice of the user read; returns how many."""
    unread = list(Notice.objects.filter(user=user, read_at__isnull=True))
    now = timezone.now()
    for notice in unread:
        notice.read_at = now
    bulk_update_with_history(unread, Notice, ["read_at"], **_history_defaults())
    return len(unread)


# --- new findings of a compliance run ----------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """A new finding, as far as a notice tells of it."""

    rule: str
    severity: str
    message: str
    org_name: str
    path: str

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
    columns = (*fields, "severity", "message", "org__name", "org__path")
    return [
        _Row(row[0], row[4], row[5], row[6], row[7])
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


def _body(run: Run, rows: list[_Row], titles: dict[str, str], what: str) -> str:
    first = heapq.nsmallest(
        LISTED, rows, key=lambda row: (SEVERITY_ORDER.get(row.severity, 9), row.path, row.rule)
    )
    lines = [
        f"{run.period} 期间的合规检查（截至 {run.as_of:%Y-%m-%d}）在您负责的范围内"
        f"{what} {len(rows)} 条：",
        *_rule_lines(rows, titles),
        "",
        "其中：",
        *[f"· {row.org_name}：{row.message}" for row in first],
    ]
    if len(rows) > LISTED:
        lines.append(f"…… 另有 {len(rows) - LISTED} 条，请打开链接查看。")
    return "\n".join(lines)


def _notices_for(run: Run, user_id: int, inbox: _Inbox, titles: dict[str, str]) -> list[Notice]:
    (org_id, code), _count = inbox.roots.most_common(1)[0]
    common = {
        "user_id": user_id,
        "url": reverse("compliance:org_findings", kwargs={"code": code}),
        "org_id": org_id,
        "key": run_key(run),
        "created_at": timezone.now(),
    }
    findings = [row for row in inbox.rows if not row.is_reminder]
    reminders = [row for row in inbox.rows if row.is_reminder]
    notices = []
    if findings:
        title = f"合规检查新发现 {len(findings)} 条（{run.period}）"
        body = _body(run, findings, titles, "新发现")
        notices.append(Notice(kind=Kind.NEW_FINDINGS, title=title, body=body, **common))
    if reminders:
        title = f"换届提醒 {len(reminders)} 条（{run.period}）"
        body = _body(run, reminders, titles, "新出现换届提醒")
        notices.append(Notice(kind=Kind.REMINDER, title=title, body=body, **common))
    return notices


def _rule_titles() -> dict[str, str]:
    from xianfeng.compliance.queries import rules_by_id  # imports the engine: not at load

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
    notices = [
        notice
        for user_id, inbox in sorted(inboxes.items())
        for notice in _notices_for(run, user_id, inbox, titles)
    ]
    return len(_deliver(notices))
