"""Reads of the yearly targets (DEV-06): the targets an org sets for its children against
its own, with the shortfall of the decomposition (the progress against them is
`queries.progress`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xianfeng.orgs.models import Org, OrgKind

from ..models import Target, TargetKind

KINDS: list[str] = list(TargetKind.values)


@dataclass
class TargetRow:
    org: Org
    values: dict[str, int | None] = field(default_factory=dict)

    def cells(self) -> list[int | None]:
        return [self.values.get(kind) for kind in KINDS]


@dataclass
class Decomposition:
    """An org's own targets of a year, those it set for its children, their sums and
    which kinds fall short (the children's sum below the org's own)."""

    own: dict[str, int]
    rows: list[TargetRow]
    sums: dict[str, int]
    short: dict[str, int]  # kind → how many the children's targets are short

    def own_cells(self) -> list[int | None]:
        return [self.own.get(kind) for kind in KINDS]

    def short_items(self) -> list[tuple[str, int]]:
        return [(str(TargetKind(kind).label), gap) for kind, gap in self.short.items()]

    def sum_cells(self) -> list[tuple[int, int]]:
        return [(self.sums.get(kind, 0), self.short.get(kind, 0)) for kind in KINDS]


def children_for_targets(org: Org) -> list[Org]:
    """The orgs `org` sets targets for: its children (no party groups, not dissolved)."""
    found = Org.objects.filter(
        path__startswith=org.path, depth=org.depth + 1, dissolved_on__isnull=True
    ).exclude(kind=OrgKind.PARTY_GROUP)
    return list(found.order_by("path"))


def own_targets(org: Org, year: int) -> dict[str, int]:
    return dict(Target.objects.filter(org=org, year=year).values_list("kind", "value"))


def decomposition(org: Org, year: int) -> Decomposition:
    """`org`'s targets for `year` and their decomposition over its children."""
    children = children_for_targets(org)
    rows = {child.pk: TargetRow(child) for child in children}
    for org_id, kind, value in Target.objects.filter(org__in=children, year=year).values_list(
        "org_id", "kind", "value"
    ):
        rows[org_id].values[kind] = value
    own = own_targets(org, year)
    sums = {kind: sum(row.values.get(kind) or 0 for row in rows.values()) for kind in KINDS}
    short = {
        kind: own[kind] - sums[kind] for kind in own if children and own[kind] > sums.get(kind, 0)
    }
    return Decomposition(own, list(rows.values()), sums, short)


@dataclass(frozen=True)
class ProgressCell:
    target: int | None
    done: int

    @property
    def is_short(self) -> bool:
        return self.target is not None and self.done < self.target


def progress_cells(row: Any, table: Any) -> dict[str, Any]:
    """One row of `queries.progress.ProgressTable` as the page shows it: per target kind
    (the table's order) the target and the progress, and the talent ratio."""
    cells = [
        ProgressCell(row.targets.get(kind), row.progress.get(kind, 0))
        for kind, _label in table.kinds
    ]
    ratio = row.talent_ratio
    target = table.talent_ratio_target
    return {
        "row": row,
        "cells": cells,
        "ratio": ratio,
        "ratio_short": bool(target) and (ratio or 0) < target,
    }
