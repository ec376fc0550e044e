"""Decisions the policies leave to the org itself (issue 12): org preferences with history.

A jurisdiction's policy sets the standards an org is checked against and is edited only
from above (compliance.domain). Some choices are the org's own: which of the weekdays a
policy allows it holds its theme day on (seed 004 §4.5.2: 机关事业单位 "周一晚上或周六"),
how much a farmer member pays a month within the national 0.2–1 yuan, on which day of the
month dues are collected (seed 003 §4.4 "设立党费集中交纳日"). Those are set here by the
org's own admins (or admins above), each change in the history.

A preference whose key is a policy parameter (`bound`) is read by the rules through the
policy resolver, which takes it only while it lies within what the policy allows (the
policy's value is the default and the allowed range); the others have a fixed range.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xianfeng.accounts.permissions import can_admin_org
from xianfeng.lib.dates import today

from .models import Org, OrgPreference

WEEKDAY_LABELS = {
    "monday": "周一",
    "tuesday": "周二",
    "wednesday": "周三",
    "thursday": "周四",
    "friday": "周五",
    "saturday": "周六",
    "sunday": "周日",
}


@dataclass(frozen=True)
class Preference:
    key: str
    title: str
    source: str
    unit: str = ""
    bound: bool = False  # the key is a policy parameter: the policy's value bounds it
    sectors_key: str = ""  # policy key listing the sectors the choice applies to
    min: Decimal | None = None
    max: Decimal | None = None
    whole: bool = False  # an integer (a day of the month)


PREFERENCES: dict[str, Preference] = {
    "life.theme_day.weekdays": Preference(
        "life.theme_day.weekdays",
        "主题党日安排在星期几",
        "seed 004 §4.5.2：机关事业单位党组织开展主题党日的时间一般安排在周一晚上或周六",
        bound=True,
        sectors_key="life.theme_day.weekday_sectors",
    ),
    "dues.farmer_monthly_yuan": Preference(
        "dues.farmer_monthly_yuan",
        "农民党员每月交纳党费",
        "中组部《关于中国共产党党费收缴、使用和管理的规定》（2008）：农民党员每月交纳党费"
        "0.2元至1元，由党支部确定",
        unit="元",
        min=Decimal("0.2"),
        max=Decimal("1"),
    ),
    "dues.payment_day": Preference(
        "dues.payment_day",
        "党费集中交纳日（每月几日）",
        "seed 003 §4.4：设立党费集中交纳日",
        unit="日",
        min=Decimal(1),
        max=Decimal(28),
        whole=True,
    ),
}


def can_set_preferences(user: Any, org: Org) -> bool:
    """The org's own admins (and admins above); `None` is the command line."""
    return user is None or bool(can_admin_org(user, org))


# --- reads -------------------------------------------------------------------------------


def policy_choice(org: Org, key: str) -> dict[str, Any] | None:
    """What the policy allows `org` for a bound preference (its entry), or None when the
    policy leaves no choice to this org (one weekday only, or another sector)."""
    from xianfeng.compliance.policy import resolver

    policy = resolver(day=today())
    pref = PREFERENCES[key]
    if pref.sectors_key and org.sector not in policy.value(pref.sectors_key, org.path):
        return None
    entry = policy.policy_entry(key, org.path)
    return entry if isinstance(entry["value"], list) and len(entry["value"]) > 1 else None


def preferences_of(org: Org) -> list[dict[str, Any]]:
    """Each preference with the org's value (or None) and, for bound ones, the choice the
    policy allows (None: no choice for this org)."""
    stored = {row.key: row for row in OrgPreference.objects.filter(org=org)}
    rows = []
    for key, pref in PREFERENCES.items():
        row = stored.get(key)
        rows.append(
            {
                "key": key,
                "pref": pref,
                "value": row.value if row else None,
                "note": row.note if row else "",
                "allowed": policy_choice(org, key) if pref.bound else None,
            }
        )
    return rows


# --- writes ------------------------------------------------------------------------------


def _clean_bound(org: Org, pref: Preference, value: Any) -> list[str]:
    allowed = policy_choice(org, pref.key)
    if allowed is None:
        raise ValidationError({"value": f"现行政策没有让本组织自行确定“{pref.title}”"})
    items = value if isinstance(value, list) else [value]
    items = [str(item).strip() for item in items if str(item).strip()]
    if not items or not set(items) <= set(allowed["value"]):
        names = "、".join(WEEKDAY_LABELS.get(day, day) for day in allowed["value"])
        raise ValidationError({"value": f"应在政策允许的{names}中选择（{allowed['source']}）"})
    return [day for day in allowed["value"] if day in items]  # the policy's order


def _clean_number(pref: Preference, value: Any) -> float | int:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({"value": f"“{pref.title}”应为数字"}) from None
    if pref.whole and number != number.to_integral_value():
        raise ValidationError({"value": f"“{pref.title}”应为整数"})
    low, high = pref.min, pref.max
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValidationError({"value": f"“{pref.title}”应在{low}至{high}{pref.unit}之间"})
    return int(number) if pref.whole else float(number)


def clean_preference(org: Org, key: str, value: Any) -> Any:
    """`value` as stored for `key`, or a ValidationError naming the allowed range."""
    pref = PREFERENCES.get(key)
    if pref is None:
        raise ValidationError({"key": f"没有名为“{key}”的本组织设置"})
    return _clean_bound(org, pref, value) if pref.bound else _clean_number(pref, value)


@transaction.atomic
def set_preference(*, org: Org, key: str, value: Any, note: str = "", by: Any = None) -> Any:
    """Set one of the org's own decisions (admins of the org or above; the command line).

    Side effects: the OrgPreference row and its history; a bound preference changes what
    the compliance rules check from the next run on."""
    if not can_set_preferences(by, org):
        raise PermissionDenied("只有本组织（或上级组织）的管理员可以修改本组织设置")
    cleaned = clean_preference(org, key, value)
    row = OrgPreference.objects.filter(org=org, key=key).first() or OrgPreference(org=org, key=key)
    row.value, row.note = cleaned, note.strip()
    if by is not None:
        row._history_user = by  # type: ignore[attr-defined]
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def clear_preference(*, org: Org, key: str, by: Any = None) -> bool:
    """Drop an org's own decision: the policy's value applies again (in the history).
    Returns whether there was one."""
    if not can_set_preferences(by, org):
        raise PermissionDenied("只有本组织（或上级组织）的管理员可以修改本组织设置")
    row = OrgPreference.objects.filter(org=org, key=key).first()
    if row is None:
        return False
    if by is not None:
        row._history_user = by  # type: ignore[attr-defined]
    row.delete()
    return True
