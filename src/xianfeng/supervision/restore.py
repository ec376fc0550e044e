"""Writes of supervision records as recorded (issue 16, round trip): the rows of an export
re-imported into a database, with their past state already decided.

An item in an export may be accepted, returned twice, reopened by a re-inspection; its
timeline, extensions and file metadata come with it, and the rhythm of supervision
(inspections, notices, calendar, reports, projects, admonitions) arrives as it happened.
The domain's transitions are for what happens now; these functions apply every rule that
can be checked on a past row (the item's state agrees with its dates, the reviewing org
is the item's org or above it, nothing dated after today, the model's constraints) and
save through the ORM with the importing user as the history's actor. Uploaded files do not
travel in spreadsheets (backups carry them): a file's metadata arrives without the file.

Exported rows name items and inspections by a number derived from what they hold
(`item_numbers`, `inspection_numbers`): the org's code, the day and the position among the
org's records of that day in the order they were recorded, so a restore into an empty
database, which records them in the exported order, gives every row the same number.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from xianfeng.lib.dates import today

from . import permissions
from .domain import items as domain
from .models import (
    AdjustmentProposal,
    CalendarEntry,
    DutyReport,
    Extension,
    Inspection,
    Item,
    ItemFile,
    ItemStatus,
    Reinspection,
    Step,
)

# --- numbers ----------------------------------------------------------------------------


def number(code: str, day: dt.date, position: int) -> str:
    """An item's or inspection's number: "<org code>-<yyyymmdd>-<position>"."""
    return f"{code}-{day:%Y%m%d}-{position}"


def split_number(text: str) -> tuple[str, dt.date, int] | None:
    """(org code, day, position) of a number, or None when it is not one."""
    head, _, position = text.rpartition("-")
    code, _, day = head.rpartition("-")
    if len(day) != 8 or not day.isdigit() or not position.isdigit():
        return None
    try:
        return code, dt.date(int(day[:4]), int(day[4:6]), int(day[6:])), int(position)
    except ValueError:
        return None


def _numbers(rows: Iterable[tuple[int, str, dt.date]]) -> dict[int, str]:
    seen: Counter[tuple[str, dt.date]] = Counter()
    found = {}
    for pk, code, day in rows:
        seen[(code, day)] += 1
        found[pk] = number(code, day, seen[(code, day)])
    return found


def item_numbers(queryset: Any = None) -> dict[int, str]:
    """pk → number of every item (of `queryset`, whose orgs' items are all in it)."""
    queryset = Item.objects.all() if queryset is None else queryset
    rows = queryset.order_by("org__code", "created_on", "pk")
    return _numbers(rows.values_list("pk", "org__code", "created_on").iterator(chunk_size=5000))


def inspection_numbers(queryset: Any = None) -> dict[int, str]:
    """pk → number of every inspection (org code, date, position that day)."""
    queryset = Inspection.objects.all() if queryset is None else queryset
    rows = queryset.order_by("org__code", "date", "pk").values_list("pk", "org__code", "date")
    return _numbers(rows)


# --- checks -----------------------------------------------------------------------------

# Day fields that tell when something was recorded: never after today.
PAST_DAYS = ("created_on", "date", "submitted_on", "registered_on", "raised_on", "decided_on")


def _refuse_future(instance: models.Model) -> None:
    if isinstance(instance, CalendarEntry):
        return  # a calendar is planned ahead
    limit = today()
    errors = {}
    for name in PAST_DAYS:
        value = getattr(instance, name, None)
        if isinstance(value, dt.date) and value > limit:
            label = getattr(instance._meta.get_field(name), "verbose_name", name)
            errors[name] = f"{label}不能晚于今天"
    if errors:
        raise ValidationError(errors)


def _check_item(item: Item) -> None:
    errors = {}
    if item.deadline and item.created_on and item.deadline < item.created_on:
        errors["deadline"] = "整改时限不能早于创建日期"
    if not item.org.path.startswith(item.reviewer_org.path):
        errors["reviewer_org"] = "验收组织应为责任组织本身或其上级组织"
    if item.status == ItemStatus.ACCEPTED and item.accepted_at is None:
        errors["accepted_at"] = "已销号的事项须有销号时间"
    if item.status != ItemStatus.ACCEPTED and item.accepted_at is not None:
        errors["accepted_at"] = "未销号的事项不应有销号时间"
    if item.status == ItemStatus.SUBMITTED and item.submitted_at is None:
        errors["submitted_at"] = "待验收的事项须有提交时间"
    if errors:
        raise ValidationError(errors)


def _check_reinspection(record: Reinspection) -> None:
    if not set(record.reopened) <= set(record.sample):
        raise ValidationError({"reopened": "重新打开的事项须在抽中事项之内"})


def _check_proposal(proposal: AdjustmentProposal) -> None:
    talk = proposal.admonition
    if talk.org_id != proposal.org_id or talk.member_id != proposal.member_id:
        raise ValidationError({"admonition": "引起建议的约谈须是同一组织、同一书记的约谈"})
    decided = proposal.decision != AdjustmentProposal.Decision.PENDING
    if decided != (proposal.decided_on is not None):
        raise ValidationError({"decided_on": "已作出决定的建议须填写决定日期，待决定的不填"})
    if proposal.decided_on and proposal.decided_on < proposal.raised_on:
        raise ValidationError({"decided_on": "决定日期不能早于提出日期"})


def _check_duty_report(report: DutyReport) -> None:
    ratings = report.ratings
    if not isinstance(ratings, dict) or not all(
        isinstance(n, int) and n >= 0 for n in ratings.values()
    ):
        raise ValidationError({"ratings": "评议结果应为各评价等次的人数"})


def _check_extension(extension: Extension) -> None:
    pending = extension.decision == Extension.Decision.PENDING
    if pending and extension.decided_at is not None:
        raise ValidationError({"decision": "待审核的申请不应有审核时间"})


CHECKS: dict[type[models.Model], Any] = {
    Item: _check_item,
    Reinspection: _check_reinspection,
    AdjustmentProposal: _check_proposal,
    DutyReport: _check_duty_report,
    Extension: _check_extension,
}

# Fields `full_clean` leaves alone: a file (it travels in backups), lists and counts that
# may be empty (checked above).
UNCHECKED: dict[type[models.Model], list[str]] = {
    ItemFile: ["file"],
    Reinspection: ["sample", "reopened"],
    DutyReport: ["ratings"],
}

# Fields set on creation (auto_now_add) that an export carries: written after the save.
RECORDED_AT = {Step: "at", Extension: "asked_at", ItemFile: "uploaded_at"}


# --- writes -----------------------------------------------------------------------------


@transaction.atomic
def save_past(
    instance: models.Model,
    *,
    by: Any,
    owner: Any,
    at: dt.datetime | None = None,
    recipients: Iterable[Any] | None = None,
) -> models.Model:
    """Save a past supervision record after the checks above and the model's own
    (`full_clean`); `owner` is the org whose records it belongs to (the user must manage
    it); `at` the recorded time of a step, extension or file; `recipients` a notice's orgs."""
    if not permissions.may_manage(by, owner):
        raise PermissionDenied(f"您对“{owner.name}”只有查看权限")
    _refuse_future(instance)
    check = CHECKS.get(type(instance))
    if check is not None:
        check(instance)
    instance.full_clean(exclude=UNCHECKED.get(type(instance), []))
    domain.save(instance, by)
    field = RECORDED_AT.get(type(instance))
    if field and at is not None:
        type(instance)._base_manager.filter(pk=instance.pk).update(**{field: at})
        setattr(instance, field, at)
    if recipients is not None:
        instance.recipients.set(recipients)  # type: ignore[attr-defined]
    return instance
