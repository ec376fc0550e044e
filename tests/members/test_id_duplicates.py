"""Issue 12, problem 3: an ID number already on file never names a member out of scope.

Every path (web form, API, member importer) answers a number held out of the actor's
scope with one fixed sentence, logs the answer (account, time, org, HMAC — never the
number) even though the registration rolls back, and stops answering after the day's
limit, notifying the officers above.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from tests.factories import make_id, make_user
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.lib.cipher import get_cipher, lookup_hash
from xianfeng.members.domain import register_member
from xianfeng.members.id_duplicates import ELSEWHERE
from xianfeng.members.models import IdNumberProbe, Member
from xianfeng.notices.models import Notice

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号", "所在党组织", "入党日期", "转正日期", "党籍状态"]


def number_of(member: Member) -> str:
    return get_cipher().decrypt(member.id_number_cipher)


def _form(number: str) -> dict[str, str]:
    return {
        "name": "新人",
        "code": "NEW1",
        "id_number": number,
        "joined_on": "2020-01-01",
        "status": "probationary",
        "ethnicity": "01",
        "category": "in_service",
    }


def _api_body(number: str) -> dict[str, str]:
    return {
        "org": "CA-T1-B1",
        "code": "NEW1",
        "name": "新人",
        "id_number": number,
        "joined_on": "2020-01-01",
    }


def _leaks(text: str, member: Member) -> list[str]:
    """What of `member` the text shows (the form echoes the number the user typed)."""
    shown = [member.code, member.name, member.id_number_masked]
    return [value for value in shown if value in text]


def _xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.title = "党员"
    for row in [HEADER, *rows]:
        sheet.append(row)
    book.save(path)
    return path


def test_web_form_duplicate_out_of_scope_names_nobody_and_is_logged(tree, client_for):
    client = client_for(tree.users["secretary"])
    number = number_of(tree.member_b)
    response = client.post("/members/new/?org=CA-T1-B1", _form(number))
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [ELSEWHERE]
    assert _leaks(response.content.decode(), tree.member_b) == []
    assert not Member.objects.filter(code="NEW1").exists()
    probe = IdNumberProbe.objects.get()
    assert (probe.user, probe.org, probe.refused) == (tree.users["secretary"], tree.branch_a, False)
    assert probe.id_number_hmac == lookup_hash(number)
    assert probe.via == "web"


def test_web_form_duplicate_in_scope_names_the_member_and_is_not_counted(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post("/members/new/?org=CA-T1-B1", _form(number_of(tree.member_a)))
    assert response.context["form"].errors["id_number"] == [
        "该身份证号已登记为党员张三（党员编号 MA1）"
    ]
    assert tree.member_a.id_number_masked not in response.content.decode()
    assert not IdNumberProbe.objects.exists()


def test_api_duplicate_out_of_scope_names_nobody_and_is_logged(tree, client_for):
    client = client_for(tree.users["secretary"])
    number = number_of(tree.member_b)
    response = client.post("/api/members", _api_body(number), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"id_number": [ELSEWHERE]}
    assert _leaks(response.content.decode(), tree.member_b) == []
    assert IdNumberProbe.objects.filter(user=tree.users["secretary"], refused=False).count() == 1
    assert not Member.objects.filter(code="NEW1").exists()


def test_importer_duplicate_out_of_scope_names_nobody_and_log_outlives_rollback(tree, tmp_path):
    number = number_of(tree.member_b)
    rows = [["新人", number, "CA-T1-B1", "2020-01-01", "", "预备党员"]]
    with pytest.raises(ImportFailed) as failed:
        run_import(_xlsx(tmp_path / "m.xlsx", rows), by=tree.users["secretary"])
    [error] = failed.value.errors
    assert (error.column, error.message) == ("身份证号", ELSEWHERE)
    assert _leaks(error.line(), tree.member_b) == []
    probe = IdNumberProbe.objects.get()  # saved although the import rolled back
    assert (probe.user, probe.org, probe.id_number_hmac) == (
        tree.users["secretary"],
        tree.branch_a,
        lookup_hash(number),
    )


def test_importer_code_mismatch_out_of_scope_does_not_name_the_code(tree, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "党员"
    sheet.append(["党员编号", *HEADER])
    sheet.append(["X9", "新人", number_of(tree.member_b), "CA-T1-B1", "2020-01-01", "", "预备党员"])
    book.save(tmp_path / "c.xlsx")
    with pytest.raises(ImportFailed) as failed:
        run_import(tmp_path / "c.xlsx", by=tree.users["secretary"])
    assert [e.message for e in failed.value.errors] == [ELSEWHERE]


def test_command_line_duplicate_names_the_member(tree):
    with pytest.raises(ValidationError) as info:
        register_member(
            org=tree.branch_a,
            code="NEW1",
            name="新人",
            id_number=number_of(tree.member_b),
            joined_on=dt.date(2020, 1, 1),
        )
    assert info.value.message_dict["id_number"] == ["该身份证号已登记为党员王五（党员编号 MB1）"]
    assert not IdNumberProbe.objects.exists()


def test_duplicate_answers_are_limited_per_account_and_day(tree, client_for, settings):
    settings.XIANFENG_ID_DUPLICATE_LIMIT = 2
    client = client_for(tree.users["secretary"])
    number = number_of(tree.member_b)
    answers = [
        client.post("/api/members", _api_body(number), content_type="application/json").json()
        for _ in range(3)
    ]
    assert [a["errors"]["id_number"][0] == ELSEWHERE for a in answers] == [True, True, False]
    refusal = answers[2]["errors"]["id_number"][0]
    assert "今日不能再登记身份证号" in refusal and "MB1" not in refusal
    # a number on file nowhere is refused alike: the refusal reveals nothing either
    fresh = client.post(
        "/api/members", _api_body(make_id(dt.date(1971, 1, 1))), content_type="application/json"
    )
    assert fresh.json()["errors"]["id_number"] == [refusal]
    assert not Member.objects.filter(code="NEW1").exists()
    assert IdNumberProbe.objects.filter(refused=False).count() == 2
    assert IdNumberProbe.objects.filter(refused=True).count() == 2


def test_limit_reached_notifies_the_officers_above_once(tree, client_for, settings):
    settings.XIANFENG_ID_DUPLICATE_LIMIT = 1
    town_admin = make_user("town_admin", org=tree.town_a, role="admin")
    client = client_for(tree.users["secretary"])
    number = number_of(tree.member_b)
    for _ in range(3):
        client.post("/members/new/?org=CA-T1-B1", _form(number))
    notices = Notice.objects.filter(title="账号多次登记已在其他党组织登记的身份证号")
    assert [n.user for n in notices] == [town_admin]
    assert "secretary" in notices[0].body and number not in notices[0].body
    assert "MB1" not in notices[0].body


def test_limit_notice_goes_up_to_the_nearest_org_with_officers(tree, client_for, settings):
    settings.XIANFENG_ID_DUPLICATE_LIMIT = 0
    client = client_for(tree.users["secretary"])
    response = client.post("/members/new/?org=CA-T1-B1", _form(make_id()))
    assert "今日不能再登记身份证号" in response.context["form"].errors["id_number"][0]
    # nobody holds a post at the town: the county's officer (not its viewer) is told
    recipients = {n.user.username for n in Notice.objects.all()}
    assert recipients == {"county_officer"}


def test_limit_applies_to_the_importer(tree, tmp_path, settings):
    settings.XIANFENG_ID_DUPLICATE_LIMIT = 1
    other = make_user("other_secretary", org=tree.branch_a2, role="admin")
    rows = [
        ["甲", number_of(tree.member_b), "CA-T1-B2", "2020-01-01", "", "预备党员"],
        ["乙", number_of(tree.member_a), "CA-T1-B2", "2020-01-01", "", "预备党员"],
        ["丙", make_id(dt.date(1972, 2, 2)), "CA-T1-B2", "2020-01-01", "", "预备党员"],
    ]
    with pytest.raises(ImportFailed) as failed:
        run_import(_xlsx(tmp_path / "l.xlsx", rows), by=other)
    messages = [e.message for e in failed.value.errors]
    assert messages[0] == ELSEWHERE
    assert all("今日不能再登记身份证号" in m for m in messages[1:]) and len(messages) == 3
    assert "张三" not in " ".join(messages) and "MA1" not in " ".join(messages)
    assert IdNumberProbe.objects.filter(user=other, refused=True).count() == 1
