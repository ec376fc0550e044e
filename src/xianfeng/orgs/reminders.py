"""Term reminders (换届提醒, ORG-04), a reminder source of the daily digest
(`settings.REMINDER_SOURCES`): an elected org whose current term's deadline (expiry, or
the approved extension) lies within the policy's lead time org.term.reminder_months, or
has passed. Its admins and officers are told (else those of the nearest org above that has
some: `accounts.queries.officers_in_charge`) once per lead-time step (6, then 3 months by
default) and once when the term is overdue; a new deadline (an approved extension) starts
over. Orgs without a recorded term are left to the ORG-04 finding.

Set-wise: one query for the current terms of all active elected orgs, one for recipients.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.db.models import Q
from django.urls import reverse

from xianfeng.accounts.queries import officers_in_charge
from xianfeng.compliance.policy import Resolver, resolver
from xianfeng.notices.reminders import Reminder

from .models import ELECTED_KINDS, Term
from .queries import TermDates, term_dates, term_reminder_lead

CATEGORY = "换届"
ORG_FIELDS = ("name", "code", "path", "kind", "level", "sector")


def current_terms(as_of: dt.date) -> list[dict[str, Any]]:
    """The latest election on or before `as_of` of every elected org active that day, with
    its number (1 for the first recorded) and the org's fields as "org" (one query)."""
    active = Q(org__founded_on__isnull=True) | Q(org__founded_on__lte=as_of)
    active &= Q(org__dissolved_on__isnull=True) | Q(org__dissolved_on__gt=as_of)
    rows = (
        Term.objects.filter(active, elected_on__lte=as_of, org__kind__in=sorted(ELECTED_KINDS))
        .order_by("org_id", "elected_on")
        .values(
            "id",
            "org_id",
            "elected_on",
            "years",
            "approved_extension_until",
            *(f"org__{f}" for f in ORG_FIELDS),
        )
    )
    terms: dict[int, dict[str, Any]] = {}
    for row in rows:
        number = terms[row["org_id"]]["number"] + 1 if row["org_id"] in terms else 1
        org = {"id": row["org_id"], **{f: row[f"org__{f}"] for f in ORG_FIELDS}}
        terms[row["org_id"]] = {**row, "number": number, "org": org}
    return list(terms.values())


def _reminder(term: dict[str, Any], dates: TermDates, months: int | None) -> Reminder:
    """The term's reminder without recipients; `months` None: overdue."""
    org = term["org"]
    extended = f"，经批准延期至{dates.extended_until}" if dates.extended_until else ""
    head = f"{org['name']}第{term['number']}届任期"
    if months is None:
        title = f"{head}已于{dates.expires_on}届满{extended}，逾期未换届"
        key = f"term:{term['id']}:{dates.deadline.isoformat()}"
    else:
        title = (
            f"{head}将于{dates.expires_on}届满{extended}，"
            f"距换届期限不足{months}个月，请做好换届准备"
        )
        key = f"term:{term['id']}:{dates.deadline.isoformat()}:{months}"
    return Reminder(
        recipients=(),
        key=key,
        category=CATEGORY,
        title=title,
        due=dates.deadline,
        overdue=months is None,
        org_name=org["name"],
        url=reverse("orgs:leadership", args=[org["code"]]),
    )


def _due(as_of: dt.date, policy: Resolver) -> list[tuple[dict[str, Any], Reminder]]:
    found = []
    for term in current_terms(as_of):
        org = term["org"]
        dates = term_dates(
            org=org,
            elected_on=term["elected_on"],
            years=term["years"],
            extension=term["approved_extension_until"],
            policy=policy,
        )
        if as_of > dates.deadline:
            found.append((org, _reminder(term, dates, None)))
        elif (months := term_reminder_lead(policy, org["path"], dates.deadline, as_of)) is not None:
            found.append((org, _reminder(term, dates, months)))
    return found


def term_reminders(as_of: dt.date) -> list[Reminder]:
    """The reminder source of terms: one Reminder per elected org whose term is expiring
    (inside the lead time) or overdue on `as_of`, to the admins and officers in charge of
    it (orgs nobody is in charge of are left out)."""
    found = _due(as_of, resolver(day=as_of))
    if not found:
        return []
    recipients = officers_in_charge({org["path"] for org, _reminder in found})
    return [
        replace(reminder, recipients=tuple(recipients[org["path"]]))
        for org, reminder in found
        if recipients[org["path"]]
    ]
