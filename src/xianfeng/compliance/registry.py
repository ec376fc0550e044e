"""The rule registry (PLAT-04): each checkable requirement is a registered function.

A rule lives in its domain app's `rules.py`, named by its requirement ID, and yields
`Found` rows computed set-wise over the whole evaluated subtree (grouped SQL, never one
query per org). Apps listed in settings.RULE_MODULES are imported by `load_rules()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db.models import Q

from xianfeng.lib.dates import Period

from . import facts
from .calendar import Calendar
from .policy import Resolver


@dataclass(frozen=True)
class Found:
    """What a rule reports: one org (and maybe member) failing in one period."""

    org_id: int
    period: str
    severity: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    member_id: int | None = None


# A subtree of at most this many orgs is a small scope: its reads name its orgs (and
# their members) by id instead of by path prefix or date range.
SMALL_SCOPE = 200


@dataclass
class Context:
    """What a rule evaluates: a subtree, a period, the as-of date, the policy."""

    roots: list[Any]  # Org rows whose subtrees are evaluated
    period: Period
    as_of: dt.date
    policy: Resolver
    calendar: Calendar
    # a parallel run's shard judging the roots alone (their own findings; their children
    # are other shards): the scope is these org ids (compliance.parallel)
    only_ids: list[int] | None = None
    _orgs: dict[tuple[str, ...], list[dict[str, Any]]] = field(default_factory=dict)
    _memo: dict[Any, Any] = field(default_factory=dict)

    @cached_property
    def day(self) -> dt.date:
        """The date a state rule looks at: the period's last day, or as-of if earlier."""
        return min(self.as_of, self.period.end - dt.timedelta(days=1))

    def path_q(self, field: str = "path") -> Q:
        """Rows whose org (`field` is the org's path: "path", "org__path" …) is in the
        subtree. A small subtree (a branch re-checked after one write) is named by its org
        ids instead: SQLite cannot use an index for a path prefix (LIKE), and without
        statistics it then drives the query from another index over the whole city."""
        ids = self._small_scope_ids()
        if ids is not None:
            return Q(**{f"{field.removesuffix('path')}id__in": ids})
        query = Q(pk__in=[])
        for root in self.roots:
            query |= Q(**{f"{field}__startswith": root.path})
        return query

    def is_small(self) -> bool:
        """At most SMALL_SCOPE orgs in the subtree (dissolved ones too)."""
        return self._small_scope_ids() is not None

    def _small_scope_ids(self) -> list[int] | None:
        """The ids of every org in the subtree (dissolved ones too) when there are at most
        SMALL_SCOPE of them, else None (one query, then cached)."""
        if self.only_ids is not None:
            return self.only_ids
        if "small_scope" not in self._memo:
            from xianfeng.orgs.models import Org

            query = Q(pk__in=[])
            for root in self.roots:
                query |= Q(path__startswith=root.path)
            ids = list(Org.objects.filter(query).values_list("id", flat=True)[: SMALL_SCOPE + 1])
            self._memo["small_scope"] = ids if len(ids) <= SMALL_SCOPE else None
        return self._memo["small_scope"]

    def fact(self, name: str, **params: Any) -> Any:
        """The shared fact `name` for `params` (compliance.facts; settings.FACT_MODULES),
        computed at the first ask in this run and cached for every rule after it."""
        key = facts.fact_key(name, params)
        if key not in self._memo:
            self._memo[key] = facts.provider(name)(self, **params)
        return self._memo[key]

    def fact_if_read(self, name: str, **params: Any) -> Any | None:
        """The shared fact `name` for `params` when a rule of this run has already asked
        for it, else None (nothing computed): a rule that can read a small part of it by
        itself does so when no other rule shares the whole read (e.g. the statuses of
        a day's mentors only, when the recruitment rules run alone)."""
        return self._memo.get(facts.fact_key(name, params))

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A value several rules read (e.g. member counts on a day), computed once."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def orgs(self, kinds: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The orgs of the subtree that exist on `day` (one query, then cached)."""
        key = tuple(sorted(kinds))
        if key not in self._orgs:
            every = self._orgs.get(())
            if every is None:
                every = self._orgs[()] = self._load_orgs()
            wanted = set(key)
            self._orgs[key] = [o for o in every if o["kind"] in wanted] if key else every
        return self._orgs[key]

    def _load_orgs(self) -> list[dict[str, Any]]:
        from xianfeng.orgs.models import Org

        day = self.day
        rows = Org.objects.filter(self.path_q()).filter(
            Q(founded_on__isnull=True) | Q(founded_on__lte=day),
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day),
        )
        names = ("id", "code", "name", "path", "kind", "level", "sector")
        return [dict(zip(names, row, strict=True)) for row in rows.values_list(*names)]


RuleFn = Callable[[Context], Iterable[Found]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    text: str
    source: str
    period: str  # "state" (as of a date), "year", "half", "quarter", "month"
    severity: str
    kinds: tuple[str, ...]
    sectors: tuple[str, ...]
    fn: RuleFn
    # True when a write at an org can change only findings of that org's own subtree (no
    # counts rolled up to ancestors): such rules are re-evaluated for that subtree alone.
    local: bool = False
    # How a parallel run may split the rule (compliance.parallel): "rule" (the default)
    # keeps it whole in one shard; "subtree" lets it be split by whole children of the
    # root, each evaluated apart, and the roots alone (`Context.only_ids`): only for a
    # local rule whose findings of an org read that org's own rows, not its subtree's (a
    # leadership's talks read members placed below: not such a rule). A rule ranking orgs
    # or members within a committee keeps "rule" ("committee", split by whole committees,
    # is the hook left for it).
    shard: str = "rule"

    @property
    def app(self) -> str:
        """The app label of the module the rule lives in (xianfeng.<app>.rules, or a module
        of the package xianfeng.<app>.rules)."""
        parts = self.fn.__module__.split(".")
        return parts[parts.index("rules") - 1] if "rules" in parts[1:] else parts[-2]


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    *,
    title: str,
    text: str,
    source: str,
    period: str = "state",
    severity: str = "error",
    kinds: Iterable[str] = (),
    sectors: Iterable[str] = (),
    local: bool = False,
    shard: str = "rule",
) -> Callable[[RuleFn], RuleFn]:
    """Register a rule under its requirement ID."""

    def register(fn: RuleFn) -> RuleFn:
        RULES[rule_id] = Rule(
            rule_id,
            title,
            text,
            source,
            period,
            severity,
            tuple(kinds),
            tuple(sectors),
            fn,
            local,
            shard,
        )
        return fn

    return register


def load_rules() -> dict[str, Rule]:
    for module in settings.RULE_MODULES:
        import_module(module)
    return RULES
