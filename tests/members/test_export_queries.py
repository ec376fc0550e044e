"""Exports read in a bounded number of queries, however many rows (issue 15 item 5)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from tests.factories import make_member
from xianfeng.core.exports import export
from xianfeng.members.models import Member

pytestmark = pytest.mark.django_db


def _add_members(tree, count: int) -> None:
    for n in range(count):
        member = make_member(tree.branch_a, flags=["migrant_worker"] if n % 2 else [])
        if n % 3 == 0:
            Member.objects.filter(pk=member.pk).update(party_group=tree.group_a)


def _queries(kind: str, *, unmasked: bool) -> tuple[int, list[list]]:
    target = io.BytesIO()
    with CaptureQueriesContext(connection) as captured:
        export(kind=kind, target=target, user=None, unmasked=unmasked)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(target.getvalue()))
    return len(captured), rows.get_sheet_by_index(0).to_python()


@pytest.mark.parametrize(
    ("kind", "unmasked"),
    [
        ("members", False),
        ("members", True),
        ("status_history", False),
        ("placements", False),
        ("transfers", False),
    ],
)
def test_export_queries_do_not_grow_with_its_rows(tree, kind, unmasked):
    _add_members(tree, 3)
    few, few_rows = _queries(kind, unmasked=unmasked)
    _add_members(tree, 30)
    many, many_rows = _queries(kind, unmasked=unmasked)
    assert few == many
    if kind != "transfers":
        assert len(many_rows) >= len(few_rows) + 30  # a row or more per member


def test_unmasked_member_export_decrypts_every_number(tree):
    from xianfeng.lib.cipher import get_cipher

    _add_members(tree, 5)
    _, rows = _queries("members", unmasked=True)
    header, *body = rows
    numbers = {row[header.index("党员编号")]: row[header.index("身份证号")] for row in body}
    assert len(numbers) == Member.objects.count()
    for member in Member.objects.all():
        assert numbers[member.code] == get_cipher().decrypt(member.id_number_cipher)


def test_bench_floor_selects_the_rows_the_export_writes(tree):
    from xianfeng.bench.exporting import select_seconds

    _add_members(tree, 4)
    _, rows = _queries("members", unmasked=False)
    assert select_seconds()[2] == len(rows) - 1 == Member.objects.count()
