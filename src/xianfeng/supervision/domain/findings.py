"""Problem items made from compliance findings, and kept in step with later checks
(TASK-01; issue 16 Deliver 2).

A finding's identity across runs is (rule, org, member, period), the key the engine uses
for first-seen dates; an item made from a finding stores it as `finding_key`. At most one
unfinished item holds a key (the constraint `one_unfinished_item_per_finding`), so a
finding already linked is skipped, also when two people click at once.

Everything here is set-wise: turning the ≈20,000 findings of a city into items reads each
table once and writes items, their history rows and their steps in bulk.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from xianfeng.accounts.scope import path_q, reference_error
from xianfeng.compliance.evidence import evidence_sentence, names_for
from xianfeng.compliance.models import Finding, Run
from xianfeng.compliance.policy import resolver
from xianfeng.compliance.queries import finding_key, latest_run_for, rules_by_id
from xianfeng.core.history import history_reason
from xianfeng.lib.dates import parse_period, today
from xianfeng.orgs.models import Org

from .. import permissions
from ..models import Item, ItemKind, ItemStatus, Origin, Step
from ..people import default_responsibles

CHUNK = 5000  # ids per query: far below every database's limit on bound parameters
BATCH = 2000
FINDING_LABEL = "检查发现"
TITLE_LENGTH = Item._meta.get_field("title").max_length or 200
# Foreign keys come from rows just read; checking each again would cost a query per item.
NOT_CHECKED = [
    "org",
    "reviewer_org",
    "responsible",
    "responsible_user",
    "finding_member",
    "created_by",
    "submitted_by",
    "accepted_by",
    "inspection",
    "duty_template_item",
]


@dataclass
class FromFindings:
    """What `items_from_findings` did: the items made, and the findings skipped because
    an unfinished item already holds their key (or the same key came twice)."""

    created: list[Item] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    pk: int
    rule: str
    org_id: int
    org_code: str
    member_id: int | None
    period: str
    severity: str
    message: str
    evidence: dict[str, Any]
    run_id: int

    @property
    def key(self) -> str:
        return finding_key(self.rule, self.org_code, self.member_id, self.period)


COLUMNS = (
    "pk",
    "rule",
    "org_id",
    "org__code",
    "member_id",
    "period",
    "severity",
    "message",
    "evidence",
)


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _visible(queryset: QuerySet[Finding], by: Any) -> QuerySet[Finding]:
    """Findings in `by`'s scope, of runs made without policy overrides."""
    queryset = queryset.filter(run__overrides={})
    return queryset if by is None else queryset.filter(path_q(by, "org__path"))


def _read(findings: QuerySet[Finding] | Iterable[int], by: Any) -> list[_Row]:
    """The chosen findings in `by`'s scope; an id out of scope or unknown is refused alike."""
    if isinstance(findings, QuerySet):
        rows = _visible(findings, by).values_list(*COLUMNS, "run_id")
        return [_Row(*row) for row in rows.order_by("pk").iterator(chunk_size=CHUNK)]
    wanted = []
    for value in findings:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            raise reference_error("findings", FINDING_LABEL, value) from None
    found: dict[int, _Row] = {}
    for ids in _chunks(sorted(set(wanted))):
        query = _visible(Finding.objects.filter(pk__in=ids), by)
        found.update((row[0], _Row(*row)) for row in query.values_list(*COLUMNS, "run_id"))
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise reference_error("findings", FINDING_LABEL, missing[0])
    return [found[pk] for pk in sorted(found)]


def _require_current(rows: list[_Row]) -> None:
    """Only findings of the latest run of their scope: a superseded run's are missing."""
    current: dict[int, bool] = {}
    for run in Run.objects.filter(pk__in={row.run_id for row in rows}):
        roots = Org.objects.filter(code__in=run.scope)
        current[run.pk] = any(latest_run_for(root) == run for root in roots)
    stale = next((row for row in rows if not current.get(row.run_id)), None)
    if stale is not None:
        raise reference_error("findings", FINDING_LABEL, stale.pk)


def _orgs(rows: list[_Row]) -> dict[int, Org]:
    ids = sorted({row.org_id for row in rows})
    found: dict[int, Org] = {}
    for chunk in _chunks(ids):
        found.update(Org.objects.in_bulk(chunk))
    return found


def _parents(orgs: Iterable[Org]) -> dict[str, Org]:
    """Org path → the org that reviews its items (its parent; a root reviews its own)."""
    orgs = list(orgs)
    paths = {org.path[: -Org.steplen] for org in orgs if len(org.path) > Org.steplen}
    found: dict[str, Org] = {}
    for chunk in _chunks(sorted(paths)):
        found.update((org.path, org) for org in Org.objects.filter(path__in=chunk))
    return {org.path: found.get(org.path[: -Org.steplen], org) for org in orgs}


def _require_managed(by: Any, orgs: Iterable[Org]) -> None:
    if any(not permissions.may_manage(by, org) for org in orgs):
        raise PermissionDenied("只有本组织及上级组织的管理员、党务工作者可以生成问题清单")


def held_keys(keys: Iterable[str]) -> set[str]:
    """The keys among `keys` that an unfinished item already holds."""
    held: set[str] = set()
    for chunk in _chunks(sorted(set(keys))):
        query = Item.objects.filter(finding_key__in=chunk).exclude(status=ItemStatus.ACCEPTED)
        held.update(query.values_list("finding_key", flat=True))
    return held


def _title(rule_title: str, org: Org) -> str:
    return f"{rule_title}（{org.name}）"[:TITLE_LENGTH]


def _sentence(evidence: dict[str, Any], names: Any, said: dict[str, str]) -> str:
    """The evidence in Chinese; the same evidence (a month without a theme day at many
    branches) is put into words once."""
    if not evidence:
        return ""
    key = json.dumps(evidence, sort_keys=True, default=str)
    if key not in said:
        said[key] = evidence_sentence(evidence, names)
    return said[key]


@dataclass
class _Plan:
    """What one call reads once and shares across its findings."""

    by: Any
    kind: str
    day: dt.date
    orgs: dict[int, Org]
    reviewers: dict[str, Org]
    people: dict[int, tuple[int | None, int | None]]
    titles: dict[str, str]
    names: Any
    policy: Any
    said: dict[str, str] = field(default_factory=dict)
    checked: bool = False

    def deadline(self, row: _Row, org: Org) -> dt.date:
        days = self.policy.value(f"supervision.deadline.{row.severity}_days", org.path)
        return self.day + dt.timedelta(days=int(days))

    def item(self, row: _Row) -> Item:
        org = self.orgs[row.org_id]
        member_id, account_id = self.people[org.pk]
        item = Item(
            org=org,
            kind=self.kind,
            title=_title(self.titles.get(row.rule, row.rule), org),
            description=f"{row.message}\n{_sentence(row.evidence, self.names, self.said)}".strip(),
            origin=Origin.FINDING,
            finding_key=row.key,
            rule=row.rule,
            finding_member_id=row.member_id,
            finding_period=row.period,
            year=self.day.year,
            responsible_id=member_id,
            responsible_user_id=account_id,
            reviewer_org=self.reviewers[org.path],
            deadline=self.deadline(row, org),
            created_by=self.by,
            created_on=self.day,
        )
        if not self.checked:
            # Every value that varies between items comes from a finding column no wider
            # than the item's (the title is cut to fit), so the first stands for them all.
            item.full_clean(exclude=NOT_CHECKED, validate_unique=False, validate_constraints=False)
            self.checked = True
        return item


def _plan(rows: list[_Row], *, by: Any, kind: str, day: dt.date) -> _Plan:
    orgs = _orgs(rows)
    _require_managed(by, orgs.values())
    return _Plan(
        by=by,
        kind=kind,
        day=day,
        orgs=orgs,
        reviewers=_parents(orgs.values()),
        people=default_responsibles(orgs.values(), day),
        titles={rule_id: rule.title for rule_id, rule in rules_by_id().items()},
        names=names_for(row.evidence for row in rows),
        policy=resolver(day=day),
    )


def _fresh(rows: list[_Row], held: set[str]) -> tuple[list[_Row], list[int]]:
    """The rows to make items of (first of each key not held) and the ids skipped."""
    fresh: list[_Row] = []
    skipped: list[int] = []
    seen = set(held)
    for row in rows:
        if row.key in seen:
            skipped.append(row.pk)
        else:
            seen.add(row.key)
            fresh.append(row)
    return fresh, skipped


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def _copy_rows(
    target: str, columns: list[str], select: list[str], ids: list[int], params: list[Any]
) -> None:
    """INSERT INTO target (columns) SELECT select FROM the items table for `ids` (chunked)."""
    source = connection.ops.quote_name(Item._meta.db_table)
    for chunk in _chunks(ids):
        marks = ", ".join(["%s"] * len(chunk))
        sql = (
            f"INSERT INTO {connection.ops.quote_name(target)} ({_quoted(columns)}) "
            f"SELECT {', '.join(select)} FROM {source} WHERE {connection.ops.quote_name('id')} IN ({marks})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *chunk])


def _history_and_steps(ids: list[int], by: Any) -> None:
    """One history row ("+", actor `by`, the channel as reason) and one "created" step per
    new item, copied from the rows just inserted by two INSERT … SELECT statements: the
    same rows `bulk_create_with_history` and `Step.objects.bulk_create` write, without
    building a Python object per row (a city's 20,000 findings in seconds)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    user = getattr(by, "pk", None)
    history = Item.history.model  # type: ignore[attr-defined]
    copied = [f.column for f in Item._meta.concrete_fields]
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    quoted = [connection.ops.quote_name(column) for column in copied]
    _copy_rows(
        history._meta.db_table,
        [*copied, *extra],
        [*quoted, "%s", "%s", "'+'", "%s"],
        ids,
        [now, history_reason(), user],
    )
    step = ["item_id", "action", "note", "by_id", "at"]
    select = [connection.ops.quote_name("id"), "%s", "''", "%s", "%s"]
    _copy_rows(Step._meta.db_table, step, select, ids, [Step.Action.CREATED.value, user, now])


def _insert(items: list[Item], by: Any) -> list[Item]:
    """Items in bulk, then their history rows (the actor `by`) and "created" steps."""
    created = Item.objects.bulk_create(items, batch_size=BATCH)
    _history_and_steps([item.pk for item in created], by)
    return created


def items_from_findings(
    findings: QuerySet[Finding] | Iterable[int],
    *,
    by: Any,
    kind: str = ItemKind.PROBLEM,
    day: dt.date | None = None,
) -> FromFindings:
    """Turn findings of the latest runs into items (origin "finding") of their orgs' lists.

    `findings` is a queryset of findings or their ids; only findings in `by`'s scope count
    (an id outside it reads as unknown: `reference_error`), and only of orgs `by` may
    manage (admin or officer of the org or above, else PermissionDenied). Each item takes
    the finding's key, rule, member and period; its title is the rule's title and the
    org's name, its description the finding's message and evidence in Chinese; its
    deadline `day` + supervision.deadline.<severity>_days of the org's policy; it answers
    to the org's secretary (else the nearest officer account) and is reviewed by the org
    above. A finding whose key an unfinished item holds is skipped (also one created
    meanwhile by someone else: the constraint's IntegrityError is caught and the
    remainder retried once). Side effects: items, their history rows (actor `by`) and a
    "created" step each.
    """
    if kind not in ItemKind.values:
        raise ValidationError({"kind": "请选择清单类型"})
    day = day or today()
    rows = _read(findings, by)
    if not rows:
        return FromFindings()
    _require_current(rows)
    plan = _plan(rows, by=by, kind=kind, day=day)
    for attempt in range(2):
        fresh, skipped = _fresh(rows, held_keys(row.key for row in rows))
        items = [plan.item(row) for row in fresh]
        try:
            with transaction.atomic():
                return FromFindings(created=_insert(items, by), skipped=skipped)
        except IntegrityError:
            if attempt:
                raise ValidationError(
                    {"findings": "其他人正在由这些检查发现生成问题清单，请稍后刷新再试"}
                ) from None
    raise AssertionError("unreachable")


# --- keeping items in step with later checks -------------------------------------------------


@dataclass(frozen=True)
class Synced:
    cleared: list[int]
    reported_again: list[int]


def _run_periods(run: Run, labels: Iterable[str]) -> list[str]:
    """The period labels among `labels` that lie within the run's period."""
    span = parse_period(run.period)
    inside = []
    for label in labels:
        if label == run.period:
            inside.append(label)
            continue
        try:
            period = parse_period(label)
        except ValueError:
            continue
        if span.start <= period.start and period.end <= span.end:
            inside.append(label)
    return inside


def _linked_items(run: Run) -> QuerySet[Item]:
    """Unfinished items made from findings of the run's orgs, rules and period."""
    roots = list(Org.objects.filter(code__in=run.scope).values_list("path", flat=True))
    if not roots:
        return Item.objects.none()
    under = Q(pk__in=[])
    for path in roots:
        under |= Q(org__path__startswith=path)
    items = Item.objects.filter(under, origin=Origin.FINDING).exclude(finding_key="")
    items = items.exclude(status=ItemStatus.ACCEPTED)
    if run.rules:
        items = items.filter(rule__in=run.rules)
    labels = items.order_by().values_list("finding_period", flat=True).distinct()
    return items.filter(finding_period__in=_run_periods(run, set(labels)))


def _reported(run: Run, items: list[Item]) -> set[str]:
    rules = {item.rule for item in items}
    periods = {item.finding_period for item in items}
    rows = Finding.objects.filter(run=run, rule__in=rules, period__in=periods)
    columns = ("rule", "org__code", "member_id", "period")
    return {finding_key(*row) for row in rows.values_list(*columns)}


def _mark(items: list[Item], by: Any, action: str, note: str) -> None:
    for item in items:
        item.version += 1
    bulk_update_with_history(
        items,
        Item,
        ["finding_cleared_on", "version"],
        batch_size=BATCH,
        default_user=by,
        default_change_reason=history_reason(),
    )
    steps = [Step(item=item, action=action, by=by, note=note) for item in items]
    Step.objects.bulk_create(steps, batch_size=BATCH)


def sync_items_with_run(run: Run) -> Synced:
    """After a stored run: its linked unfinished items whose finding it no longer reports
    get `finding_cleared_on` = the run's as-of day and a "cleared" step ("规则已不再报告此
    问题（自 D 起）"); those reported again lose the date (and get a step saying so). Only
    items of orgs in the run's scope, of its rules (all when the run names none) and of
    periods within its period; runs with policy overrides change nothing. The item stays
    open either way: a reviewer accepts it. History actor: the run's `by`."""
    if run.overrides:
        return Synced([], [])
    items = list(_linked_items(run))
    if not items:
        return Synced([], [])
    reported = _reported(run, items)
    gone = [i for i in items if i.finding_cleared_on is None and i.finding_key not in reported]
    back = [i for i in items if i.finding_cleared_on is not None and i.finding_key in reported]
    with transaction.atomic():
        for item in gone:
            item.finding_cleared_on = run.as_of
        _mark(gone, run.by, Step.Action.CLEARED, cleared_note(run.as_of))
        for item in back:
            item.finding_cleared_on = None
        note = f"检查规则再次报告此问题（{run.as_of:%Y-%m-%d}）"
        _mark(back, run.by, Step.Action.EDITED, note)
    return Synced([i.pk for i in gone], [i.pk for i in back])


def cleared_note(day: dt.date) -> str:
    return f"规则已不再报告此问题（自 {day:%Y-%m-%d} 起）"


def on_run_stored(sender: Any, run: Run, **kwargs: Any) -> None:
    """Subscribed to compliance.signals.run_stored (supervision.apps)."""
    sync_items_with_run(run)
