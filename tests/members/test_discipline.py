"""Party disciplinary penalties (党纪处分): recorded and corrected with their period of
effect; expulsion has none and leaves the status alone; the public in-effect question
(`in_effect_q`, `under_penalty`) the introducer check asks; officers-only pages and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from xianfeng.members import discipline
from xianfeng.members.models import Discipline

pytestmark = pytest.mark.django_db
D = dt.date


MARCH, SEPTEMBER = D(2024, 3, 1), D(2024, 9, 1)


def penalize(member, kind="warning", decided_on=MARCH, until=SEPTEMBER, by=None):
    return discipline.record_discipline(
        member=member,
        kind=kind,
        decided_on=decided_on,
        effective_until=until,
        decided_by="青山镇纪委",
        reason="违反工作纪律",
        by=by,
    )


def test_discipline_recorded_with_actor(tree):
    secretary = tree.users["secretary"]
    record = penalize(tree.member_a, by=secretary)
    assert (record.kind, record.effective_until) == ("warning", D(2024, 9, 1))
    assert record.history.get().history_user == secretary


@pytest.mark.parametrize(
    ("kind", "until", "field", "message"),
    [
        ("warning", None, "effective_until", "警告须填写影响期截止日期"),
        ("probation", D(2024, 3, 1), "effective_until", "影响期截止日期须晚于处分决定日期"),
        ("expulsion", D(2025, 3, 1), "effective_until", "开除党籍没有影响期，截止日期须留空"),
    ],
)
def test_discipline_period_of_effect_is_checked(tree, kind, until, field, message):
    with pytest.raises(ValidationError) as error:
        penalize(tree.member_a, kind=kind, until=until)
    assert error.value.message_dict == {field: [message]}


def test_discipline_expulsion_does_not_change_the_status(tree):
    penalize(tree.member_a, kind="expulsion", until=None)
    tree.member_a.refresh_from_db()
    assert tree.member_a.status == "full"


def test_discipline_in_effect_from_decision_until_the_end(tree):
    penalize(tree.member_a)  # 2024-03-01 … 2024-09-01 (exclusive)
    penalize(tree.member_a2, kind="expulsion", decided_on=D(2024, 1, 15), until=None)
    ids = [tree.member_a.pk, tree.member_a2.pk, tree.member_b.pk]
    assert discipline.under_penalty(ids, D(2024, 2, 29)) == {tree.member_a2.pk}
    assert discipline.under_penalty(ids, D(2024, 3, 1)) == {tree.member_a.pk, tree.member_a2.pk}
    assert discipline.under_penalty(ids, D(2024, 8, 31)) == {tree.member_a.pk, tree.member_a2.pk}
    assert discipline.under_penalty(ids, D(2024, 9, 1)) == {tree.member_a2.pk}
    assert discipline.under_penalty(ids, D(2024, 5, 1), kinds=["warning"]) == {tree.member_a.pk}
    assert Discipline.objects.filter(discipline.in_effect_q(D(2030, 1, 1))).count() == 1


def test_discipline_correct_keeps_history(tree):
    record = penalize(tree.member_a)
    discipline.correct_discipline(
        discipline=record, kind="serious_warning", effective_until=D(2025, 3, 1), by=None
    )
    record.refresh_from_db()
    assert (record.kind, record.effective_until) == ("serious_warning", D(2025, 3, 1))
    assert record.history.count() == 2
    with pytest.raises(ValidationError):
        discipline.correct_discipline(discipline=record, member=tree.member_b, by=None)


def test_discipline_member_out_of_scope_reads_as_missing(tree):
    with pytest.raises(ValidationError) as error:
        penalize(tree.member_b, by=tree.users["secretary"])
    assert error.value.message_dict == {"member": ["没有找到党员“MB1”"]}


def test_discipline_page_is_for_officers_only(client_for, tree):
    penalize(tree.member_a)
    page = client_for(tree.users["secretary"]).get("/members/MA1/discipline/")
    body = page.content.decode()
    assert page.status_code == 200 and "违反工作纪律" in body and "状态变更是另一步" not in body
    assert "记录开除党籍处分不会改变党籍状态" in body
    assert (
        client_for(tree.users["county_viewer"]).get("/members/MA1/discipline/").status_code == 403
    )
    assert client_for(tree.users["member"]).get("/members/MA1/discipline/").status_code == 403


def test_discipline_page_records_and_corrects(client_for, tree):
    client = client_for(tree.users["county_officer"])
    data = {"kind": "probation", "decided_on": "2024-04-01", "effective_until": "2026-04-01"}
    assert client.post("/members/MA1/discipline/", data).status_code == 302
    record = Discipline.objects.get()
    refused = client.post("/members/MA1/discipline/", {**data, "effective_until": ""})
    assert refused.status_code == 200 and "留党察看须填写影响期截止日期" in refused.content.decode()
    edit = f"/members/MA1/discipline/{record.pk}/"
    assert client.get(edit).status_code == 200
    assert client.post(edit, {**data, "decided_by": "东县纪委"}).status_code == 302
    record.refresh_from_db()
    assert record.decided_by == "东县纪委"


def test_discipline_api_for_officers(client_for, tree):
    client = client_for(tree.users["secretary"])
    body = {"kind": "warning", "decided_on": "2024-03-01", "effective_until": "2024-09-01"}
    created = client.post("/api/members/MA1/disciplines", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["kind_label"] == "警告"
    pk = created.json()["id"]
    patched = client.patch(
        f"/api/members/MA1/disciplines/{pk}",
        {"reason": "更正事由"},
        content_type="application/json",
    )
    assert patched.json()["reason"] == "更正事由"
    assert [d["id"] for d in client.get("/api/members/MA1/disciplines").json()] == [pk]
    viewer = client_for(tree.users["county_viewer"])
    assert viewer.get("/api/members/MA1/disciplines").status_code == 403
