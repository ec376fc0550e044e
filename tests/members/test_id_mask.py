"""Issue 12, problem 11: the masked ID number cannot be undone from what is shown beside it.

Pages, API, history and exports show ``region + birth date + ****``; the birth date, sex
and region are shown anyway, and the hidden sequence and check character leave 500
candidates (see tests/lib/test_idcard.py for the count).
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_id, make_member
from xianfeng.core.exports import export
from xianfeng.members.models import Member

pytestmark = pytest.mark.django_db


def _member(tree):
    number = make_id(dt.date(1991, 7, 12), 123)
    member = make_member(tree.branch_a, code="MA7", id_number=number)
    member.refresh_from_db()
    return number, member


def test_mask_hides_sequence_and_check_character_everywhere(tree, client_for, tmp_path):
    number, member = _member(tree)
    masked = number[:14] + "****"
    assert member.id_number_masked == masked
    client = client_for(tree.users["secretary"])
    assert client.get("/api/members/MA7").json()["id_number"] == masked
    page = client.get(reverse("members:detail", args=["MA7"])).content.decode()
    assert masked in page and number not in page and number[:17] not in page
    history = set(Member.history.filter(code="MA7").values_list("id_number_masked", flat=True))
    assert history == {masked}
    export(kind="members", target=tmp_path / "m.xlsx", user=tree.users["secretary"])
    cells = {
        c for r in load_workbook(tmp_path / "m.xlsx").active.iter_rows(values_only=True) for c in r
    }
    assert masked in cells and number not in cells


def test_migration_remasks_stored_numbers_and_history(tree):
    number, member = _member(tree)
    old = number[:6] + "********" + number[-4:]
    Member.objects.filter(pk=member.pk).update(id_number_masked=old)
    Member.history.filter(code="MA7").update(id_number_masked=old)
    migration = importlib.import_module("xianfeng.members.migrations.0003_id_mask_hides_sequence")
    migration.remask(apps, None)
    assert Member.objects.get(pk=member.pk).id_number_masked == number[:14] + "****"
    history = set(Member.history.filter(code="MA7").values_list("id_number_masked", flat=True))
    assert history == {number[:14] + "****"}
    assert (
        tree.member_a.id_number_masked == Member.objects.get(pk=tree.member_a.pk).id_number_masked
    )
