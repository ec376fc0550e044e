"""What the STUDY rules share: the orgs and sub-periods of an evaluation, policy values
resolved once per org, and hours written for messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q

from xianfeng.compliance.parts import parts_of
from xianfeng.compliance.registry import Context
from xianfeng.lib.dates import Period
from xianfeng.orgs.models import Org

ONE_DAY = dt.timedelta(days=1)


def period_orgs(ctx: Context) -> dict[int, dict[str, Any]]:
    """Orgs of the subtree that existed at some time in the period, by id (one query)."""

    def load() -> dict[int, dict[str, Any]]:
        rows = Org.objects.filter(ctx.path_q()).filter(
            Q(founded_on__isnull=True) | Q(founded_on__lt=ctx.period.end),
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=ctx.period.start),
        )
        names = ("id", "path", "kind", "level", "sector", "founded_on", "dissolved_on")
        return {row["id"]: row for row in rows.values(*names)}

    return ctx.memo(("study", "orgs"), load)


def sub_periods(ctx: Context, size: str) -> list[Period]:
    """The months, quarters, halves or years inside the evaluated period."""
    return parts_of(ctx.period, size)


def ended_sub_periods(ctx: Context, size: str, within: Period | None = None) -> list[Period]:
    """The sub-periods of `size` ended by as_of, only those starting in `within` if given."""
    parts = [p for p in sub_periods(ctx, size) if p.end <= ctx.as_of]
    return [p for p in parts if within is None or within.start <= p.start < within.end]


def hours_text(value: Decimal) -> str:
    """31.5 → '31.5', 32.0 → '32' (for messages)."""
    return f"{value:f}".removesuffix(".0")


class PolicyLookup(dict):
    """The policy values for one org, each key resolved once: STUDY-01 asks the same dozen
    keys for each of a city's 300,000 members. Called like a function (`value(key)`), it
    is a dict lookup; a missing key is resolved and kept."""

    def __init__(self, ctx: Context, path: str) -> None:
        super().__init__()
        # the resolver, not the context: kept in the context's memo, a reference back to
        # the context would make a cycle that keeps every fact of the run alive until the
        # cycle collector runs (it is paused during a check)
        self.policy, self.path = ctx.policy, path

    def __missing__(self, key: str) -> Any:
        value = self[key] = self.policy.value(key, self.path)
        return value

    __call__ = dict.__getitem__


def policy_lookup(ctx: Context, org: dict[str, Any]) -> Any:
    """The org's `PolicyLookup` (one per org and check)."""
    return ctx.memo(("study", "lookup", org["id"]), lambda: PolicyLookup(ctx, org["path"]))


def policy_entry(ctx: Context, org: dict[str, Any], key: str) -> dict[str, Any]:
    """The policy entry of `key` for the org (resolved once per org and key)."""
    return ctx.memo(("study", "entry", org["id"], key), lambda: ctx.policy.entry(key, org["path"]))
