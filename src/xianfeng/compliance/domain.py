"""Writes of policies and the holiday calendar (PLAT-04); every change in the history."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import CalendarYear, HolidayOverride, Policy
from .policy import PolicyError, parse_policy, shipped_files

CONFIRMED_YEARS = range(2004, 2027)  # official schedules checked against the package


@transaction.atomic
def save_policy(*, text: str, org: Any = None, by: Any = None) -> Policy:
    """Create or replace the policy with the file's code; refuses an invalid file."""
    try:
        parsed = parse_policy(text)
    except PolicyError as error:
        raise ValidationError({"text": str(error)}) from None
    policy = Policy.objects.filter(code=parsed.code).first() or Policy(code=parsed.code)
    policy.title, policy.source, policy.text = parsed.title, parsed.source, text
    policy.values = parsed.values
    if org is not None:
        policy.org = org
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def attach_policy(*, policy: Policy, org: Any, by: Any = None) -> Policy:
    """Apply a policy to `org`'s subtree (one policy per org)."""
    if policy.code == "national":
        raise ValidationError({"org": "全国默认政策适用于全部组织，不能挂到某个组织上"})
    other = Policy.objects.filter(org=org).exclude(pk=policy.pk).first()
    if other is not None:
        raise ValidationError({"org": f"“{org.name}”已适用政策“{other.title}”"})
    policy.org = org
    policy.save(update_fields=["org", "updated_at"])
    return policy


def load_shipped_policies() -> list[Policy]:
    """Store the shipped policies (national + the five seed documents), unattached."""
    return [save_policy(text=path.read_text(encoding="utf-8")) for path in shipped_files()]


def seed_calendar() -> None:
    for year in CONFIRMED_YEARS:
        CalendarYear.objects.get_or_create(year=year, defaults={"confirmed": True})


@transaction.atomic
def confirm_year(*, year: int, by: Any = None, note: str = "") -> CalendarYear:
    """An admin confirms that the package matches the official schedule of `year`."""
    entry, _created = CalendarYear.objects.get_or_create(year=year)
    entry.confirmed, entry.note = True, note
    entry.save()
    return entry


@transaction.atomic
def override_day(*, date: Any, is_workday: bool, note: str = "", by: Any = None) -> HolidayOverride:
    entry, _created = HolidayOverride.objects.update_or_create(
        date=date, defaults={"is_workday": is_workday, "note": note}
    )
    return entry
