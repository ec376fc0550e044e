"""A subtree (`path__startswith`) is an index range scan on PostgreSQL (issue 15): every
scoped page counts members by it. Under a non-C collation (C.UTF-8, zh_CN.UTF-8) the plain
btree index on `orgs_org.path` cannot serve LIKE 'prefix%'; the `varchar_pattern_ops` index
Django adds for the unique varchar column can, and this test fails if it ever goes away."""

from __future__ import annotations

import pytest
from django.db import connection

from xianfeng.members.models import Member
from xianfeng.orgs.models import Org

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few test rows: force the choice
    return queryset.explain()


@pytest.mark.parametrize(
    "queryset",
    [
        pytest.param(lambda tree: Org.objects.filter(path__startswith=tree.town_a.path), id="orgs"),
        pytest.param(
            lambda tree: Member.objects.filter(org__path__startswith=tree.town_a.path),
            id="members",
        ),
    ],
)
def test_subtree_prefix_is_an_index_range_on_postgresql(queryset, tree):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's LIKE is case-insensitive and uses no index; PostgreSQL only")

    plan = _plan(queryset(tree))

    index_conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert any("path" in line for line in index_conditions), plan
