import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_id, make_member, make_org, make_user
from xianfeng.lib.dates import today
from xianfeng.members.domain import send_transfer, set_member_status
from xianfeng.members.models import IdNumberView, Member, Transfer

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name, *args):
    return reverse(name, args=args)


def _codes(response):
    return [member.code for member in response.context["page_obj"].object_list]


# --- member list -------------------------------------------------------------------------


def test_member_list_shows_scope_only(tree, client_for):
    response = client_for(tree.users["county_viewer"]).get(_url("members:list"))
    assert response.status_code == 200
    assert _codes(response) == ["MA1", "MA2"]
    assert tree.member_a.id_number_masked in response.text
    assert "王五" not in response.text


def test_member_list_filters_by_org(tree, client_for):
    response = client_for(tree.users["city_admin"]).get(_url("members:list"), {"org": "CB"})
    assert _codes(response) == ["MB1"]


def test_member_list_org_out_of_scope_is_absent(tree, client_for):
    response = client_for(tree.users["county_officer"]).get(_url("members:list"), {"org": "CB"})
    assert response.status_code == 200
    assert _codes(response) == []
    assert response.context["form"].errors["org"] == ["没有找到该党组织，或不在您的管辖范围内"]
    assert "王五" not in response.text


def test_member_list_filters_by_status(tree, client_for):
    make_member(tree.branch_a, code="MA8", status="probationary", joined_on=dt.date(2024, 6, 1))
    client = client_for(tree.users["county_officer"])
    assert _codes(client.get(_url("members:list"), {"status": "probationary"})) == ["MA8"]
    assert _codes(client.get(_url("members:list"), {"status": "full"})) == ["MA1", "MA2"]


def test_member_list_filters_by_category_and_text(tree, client_for):
    make_member(tree.branch_a, code="MA8", name="赵六", category="retired")
    client = client_for(tree.users["county_officer"])
    assert _codes(client.get(_url("members:list"), {"category": "retired"})) == ["MA8"]
    assert _codes(client.get(_url("members:list"), {"q": "zs"})) == ["MA1"]
    assert _codes(client.get(_url("members:list"), {"q": "MA2"})) == ["MA2"]


def test_member_list_leavers_only_when_asked(tree, client_for):
    set_member_status(
        member=tree.member_a2, status="left", on=dt.date(2024, 1, 1), reason="deceased"
    )
    client = client_for(tree.users["county_officer"])
    assert _codes(client.get(_url("members:list"))) == ["MA1"]
    assert _codes(client.get(_url("members:list"), {"include_left": "on"})) == ["MA1", "MA2"]


def test_member_list_paginates_50_without_n_plus_1(tree, client_for):
    for n in range(55):
        make_member(tree.branch_a2, code=f"MX{n:03d}")
    client = client_for(tree.users["county_officer"])
    with CaptureQueriesContext(connection) as first:
        response = client.get(_url("members:list"))
    member_queries = [q for q in first.captured_queries if "members_member" in q["sql"]]
    assert len(member_queries) == 2  # one count, one page: no query per row
    assert len(response.context["page_obj"].object_list) == 50
    assert response.context["page_obj"].paginator.count == 57
    assert "第 1 / 2 页，共 57 条" in response.text
    second = client.get(_url("members:list"), {"page": "2"})
    assert len(second.context["page_obj"].object_list) == 7


def test_member_list_htmx_gets_fragment(tree, client_for):
    response = client_for(tree.users["county_officer"]).get(
        _url("members:list"), {"q": "张"}, **HTMX
    )
    assert "<html" not in response.text
    assert 'id="member-results"' in response.text
    assert "张三" in response.text
    assert "李四" not in response.text


def test_member_list_for_member_user_shows_own_record(tree, client_for):
    response = client_for(tree.users["member"]).get(_url("members:list"))
    assert _codes(response) == ["MA1"]


# --- member page -------------------------------------------------------------------------


def test_member_page_renders_fields_masked(tree, client_for):
    response = client_for(tree.users["county_viewer"]).get(_url("members:detail", "MA1"))
    assert response.status_code == 200
    labels = [row["label"] for row in response.context["fields"]]
    assert "身份证号" in labels and "入党日期" in labels and "党员类别" in labels
    assert tree.member_a.id_number_masked in response.text
    assert "显示完整身份证号" not in response.text
    assert _url("members:edit", "MA1") not in response.text


def test_member_page_out_of_scope_is_404(tree, client_for):
    assert (
        client_for(tree.users["county_officer"]).get(_url("members:detail", "MB1")).status_code
        == 404
    )
    assert client_for(tree.users["member"]).get(_url("members:detail", "MA2")).status_code == 404


def test_member_page_shows_timeline_placements_and_history(tree, client_for):
    response = client_for(tree.users["county_officer"]).get(_url("members:detail", "MA1"))
    assert [s.status for s in response.context["spells"]] == ["probationary", "full"]
    assert [p.org for p in response.context["placements"]] == [tree.branch_a]
    assert response.context["history"][-1]["changes"] == ["新建"]
    assert "变更党籍状态" in response.text


def test_member_page_editor_sees_forms(tree, client_for):
    response = client_for(tree.users["secretary"]).get(_url("members:detail", "MA1"))
    assert _url("members:edit", "MA1") in response.text
    assert _url("members:status", "MA1") in response.text
    assert _url("members:send_transfer", "MA1") in response.text
    assert _url("orgs:directory") in response.text


def test_reveal_button_only_with_right(tree, client_for):
    user = make_user("auditor", org=tree.county_a, role="viewer", can_view_identifiers=True)
    response = client_for(user).get(_url("members:detail", "MA1"))
    assert "显示完整身份证号" in response.text


def test_reveal_id_is_403_without_right(tree, client_for):
    response = client_for(tree.users["county_officer"]).post(_url("members:reveal_id", "MA1"))
    assert response.status_code == 403
    assert IdNumberView.objects.count() == 0


def test_reveal_id_logs_view_and_returns_fragment(tree, client_for):
    number = make_id(dt.date(1990, 5, 5), 123)
    member = make_member(tree.branch_a, code="MA7", id_number=number)
    user = make_user("auditor", org=tree.county_a, role="viewer", can_view_identifiers=True)
    response = client_for(user).post(_url("members:reveal_id", "MA7"), **HTMX)
    assert response.status_code == 200
    assert number in response.text
    assert "<html" not in response.text
    assert response.headers["Cache-Control"].startswith("max-age=0")
    view = IdNumberView.objects.get()
    assert (view.member, view.user, view.via) == (member, user, "web")


def test_reveal_id_with_keys_that_do_not_fit_says_so(tree, client_for, settings):
    from cryptography.fernet import Fernet

    from xianfeng.accounts.domain import create_api_token
    from xianfeng.lib.cipher import reset_cipher

    make_member(tree.branch_a, code="MA7", id_number=make_id(dt.date(1990, 5, 5), 123))
    user = make_user("auditor", org=tree.county_a, role="viewer", can_view_identifiers=True)
    settings.ID_NUMBER_KEYS = Fernet.generate_key().decode()  # restored without its keys
    reset_cipher()
    try:
        page = client_for(user).post(_url("members:reveal_id", "MA7"), **HTMX)
        _token, key = create_api_token(user=user, name="t")
        api = client_for(user).get("/api/members/MA7/id-number", HTTP_AUTHORIZATION=f"Bearer {key}")
    finally:
        reset_cipher()
    assert page.status_code == 200 and "身份证号密钥与数据库不符" in page.text
    assert api.status_code == 503 and "身份证号密钥与数据库不符" in api.json()["detail"]


def test_reveal_id_out_of_scope_is_404(tree, client_for):
    user = make_user("auditor", org=tree.county_a, role="viewer", can_view_identifiers=True)
    assert client_for(user).post(_url("members:reveal_id", "MB1")).status_code == 404
    assert IdNumberView.objects.count() == 0


def test_reveal_id_needs_post(tree, client_for):
    user = make_user("auditor", org=tree.county_a, role="viewer", can_view_identifiers=True)
    assert client_for(user).get(_url("members:reveal_id", "MA1")).status_code == 405


# --- me ----------------------------------------------------------------------------------


def test_member_user_sees_own_page_read_only(tree, client_for):
    response = client_for(tree.users["member"]).get(_url("members:detail", "MA1"))
    assert response.status_code == 200
    assert response.context["readonly"] is True
    assert response.context["history"] == []


def test_me_shows_own_record_read_only(tree, client_for):
    response = client_for(tree.users["member"]).get(_url("members:me"))
    assert response.status_code == 200
    assert response.context["member"] == tree.member_a
    assert "张三" in response.text
    assert _url("members:edit", "MA1") not in response.text
    assert "变更党籍状态" not in response.text


def test_me_without_member_is_friendly(tree, client_for):
    response = client_for(tree.users["nobody"]).get(_url("members:me"))
    assert response.status_code == 404
    assert "尚未关联党员档案" in response.text


# --- create ------------------------------------------------------------------------------


def _new_member(**changes):
    data = {
        "name": "钱七",
        "code": "MA5",
        "id_number": make_id(dt.date(1985, 3, 3), 31),
        "gender": "",
        "birth_date": "",
        "ethnicity": "01",
        "education": "20",
        "occupation": "村民",
        "phone": "13800000000",
        "joined_on": "2015-07-01",
        "status": "full",
        "full_on": "2016-07-01",
        "category": "rural",
        "flags": ["youth", "veteran"],
        "leading_cadre": "",
        "party_group": "CA-T1-B1-G1",
    }
    data.update(changes)
    return data


def test_member_create_registers_member(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post(f"{reverse('members:create')}?org=CA-T1-B1", _new_member())
    assert response.status_code == 302
    member = Member.objects.get(code="MA5")
    assert (member.org, member.party_group, member.gender) == (tree.branch_a, tree.group_a, "1")
    assert member.flags == ["youth", "veteran"]
    assert response.url == _url("members:detail", "MA5")


def test_member_create_form_renders_group_choices(tree, client_for):
    response = client_for(tree.users["secretary"]).get(f"{reverse('members:create')}?org=CA-T1-B1")
    assert response.status_code == 200
    assert [g.code for g in response.context["form"].fields["party_group"].queryset] == [
        "CA-T1-B1-G1"
    ]


def test_member_create_bad_id_number_is_chinese_field_error(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post(
        f"{reverse('members:create')}?org=CA-T1-B1", _new_member(id_number="32060219850303003")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == ["身份证号应为18位，实际为17位"]
    assert not Member.objects.filter(code="MA5").exists()


def test_member_create_party_group_of_wrong_org_is_refused(tree, client_for):
    other_group = make_org(tree.branch_a2, kind="party_group", code="CA-T1-B2-G1")
    client = client_for(tree.users["secretary"])
    response = client.post(
        f"{reverse('members:create')}?org=CA-T1-B1", _new_member(party_group=other_group.code)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["party_group"]
    assert "选择一个有效的选项" in response.context["form"].errors["party_group"][0]
    assert not Member.objects.filter(code="MA5").exists()


def test_member_create_domain_error_lands_on_field(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post(f"{reverse('members:create')}?org=CA-T1-B1", _new_member(full_on=""))
    assert response.context["form"].errors["full_on"] == ["正式党员须填写转正日期"]
    assert not Member.objects.filter(code="MA5").exists()


def test_member_create_in_non_branch_shows_error(tree, client_for):
    client = client_for(tree.users["county_officer"])
    response = client.post(f"{reverse('members:create')}?org=CA-T1", _new_member(party_group=""))
    assert response.status_code == 200
    assert "党员只能编入党支部或联合党支部" in response.context["form"].non_field_errors()[0]
    assert not Member.objects.filter(code="MA5").exists()


def test_member_create_htmx_error_gets_fragment(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post(
        f"{reverse('members:create')}?org=CA-T1-B1", _new_member(id_number="abc"), **HTMX
    )
    assert "<html" not in response.text
    assert 'id="member-form"' in response.text


def test_member_create_is_403_for_viewer(tree, client_for):
    client = client_for(tree.users["county_viewer"])
    url = f"{reverse('members:create')}?org=CA-T1-B1"
    assert client.get(url).status_code == 403
    assert client.post(url, _new_member()).status_code == 403
    assert not Member.objects.filter(code="MA5").exists()


def test_member_create_out_of_scope_org_is_404(tree, client_for):
    client = client_for(tree.users["secretary"])
    assert client.get(f"{reverse('members:create')}?org=CB-T1-B1").status_code == 404


# --- edit and status ---------------------------------------------------------------------


def _edit_data(member, **changes):
    data = {
        "name": member.name,
        "ethnicity": member.ethnicity,
        "education": member.education,
        "occupation": member.occupation,
        "phone": member.phone,
        "category": member.category,
        "flags": member.flags,
        "leading_cadre": "on" if member.leading_cadre else "",
        "joined_on": member.joined_on.isoformat(),
        "full_on": member.full_on.isoformat() if member.full_on else "",
        "party_group": member.party_group.code if member.party_group_id else "",
    }
    data.update(changes)
    return data


def test_member_edit_saves_changes(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post(
        _url("members:edit", "MA1"),
        _edit_data(tree.member_a, phone="13900000000", party_group="CA-T1-B1-G1"),
    )
    assert response.status_code == 302
    tree.member_a.refresh_from_db()
    assert (tree.member_a.phone, tree.member_a.party_group) == ("13900000000", tree.group_a)
    detail = client.get(_url("members:detail", "MA1"))
    assert "联系电话：（空） → 13900000000" in detail.context["history"][0]["changes"]


def test_member_edit_party_group_of_other_branch_is_refused(tree, client_for):
    make_org(tree.branch_a2, kind="party_group", code="CA-T1-B2-G1")
    client = client_for(tree.users["county_officer"])
    response = client.post(
        _url("members:edit", "MA1"), _edit_data(tree.member_a, party_group="CA-T1-B2-G1")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["party_group"]
    tree.member_a.refresh_from_db()
    assert tree.member_a.party_group is None


def test_member_edit_domain_error_keeps_record(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post(
        _url("members:edit", "MA1"), _edit_data(tree.member_a, full_on="2009-01-01", name="张三丰")
    )
    assert response.context["form"].errors["full_on"] == ["转正日期应晚于入党日期"]
    assert "张三丰" not in response.context["title"]
    tree.member_a.refresh_from_db()
    assert tree.member_a.name == "张三"


def test_member_edit_is_403_for_viewer(tree, client_for):
    client = client_for(tree.users["county_viewer"])
    assert client.get(_url("members:edit", "MA1")).status_code == 403
    assert (
        client.post(_url("members:edit", "MA1"), _edit_data(tree.member_a, phone="1")).status_code
        == 403
    )
    assert client_for(tree.users["member"]).get(_url("members:edit", "MA1")).status_code == 403


def test_member_status_change(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post(
        _url("members:status", "MA1"), {"status": "lost_contact", "on": "2024-05-01", "reason": ""}
    )
    assert response.status_code == 302
    tree.member_a.refresh_from_db()
    assert (tree.member_a.status, tree.member_a.status_since) == (
        "lost_contact",
        dt.date(2024, 5, 1),
    )


def test_member_status_left_needs_reason(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post(
        _url("members:status", "MA1"), {"status": "left", "on": "2024-05-01", "reason": ""}, **HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "出党须选择原因" in response.text
    tree.member_a.refresh_from_db()
    assert tree.member_a.status == "full"


def test_member_status_is_403_for_viewer(tree, client_for):
    client = client_for(tree.users["county_viewer"])
    response = client.post(
        _url("members:status", "MA1"), {"status": "left", "on": "2024-05-01", "reason": "deceased"}
    )
    assert response.status_code == 403
    tree.member_a.refresh_from_db()
    assert tree.member_a.status == "full"


# --- transfers ---------------------------------------------------------------------------


def _send(client, code="MA1", to_org="CB-T1-B1", sent_on="2025-03-01"):
    return client.post(
        _url("members:send_transfer", code),
        {"to_org": to_org, "sent_on": sent_on, "reason": "工作调动", "letter_no": "A-1"},
    )


def test_send_transfer_to_another_county(tree, client_for):
    response = _send(client_for(tree.users["secretary"]))
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert response.url == _url("members:transfer_detail", transfer.pk)
    assert (transfer.from_org, transfer.to_org, transfer.sent_by) == (
        tree.branch_a,
        tree.branch_b,
        tree.users["secretary"],
    )


def test_send_transfer_unknown_org_is_field_error(tree, client_for):
    response = _send(client_for(tree.users["secretary"]), to_org="NOPE")
    assert response.context["transfer_form"].errors["to_org"] == ["没有找到党组织“NOPE”"]
    assert not Transfer.objects.exists()


def test_send_transfer_to_non_branch_is_field_error(tree, client_for):
    response = _send(client_for(tree.users["secretary"]), to_org="CA-T1-B1-G1")
    assert "党员只能编入党支部或联合党支部" in response.context["transfer_form"].errors["to_org"][0]
    assert not Transfer.objects.exists()


def test_send_transfer_to_non_branch_out_of_scope_reads_like_unknown(tree, client_for):
    response = _send(client_for(tree.users["secretary"]), to_org="CB-T1")
    assert response.context["transfer_form"].errors["to_org"] == ["没有找到党组织“CB-T1”"]
    assert "白云镇党委" not in response.text
    assert not Transfer.objects.exists()


def test_send_transfer_is_403_for_viewer(tree, client_for):
    assert _send(client_for(tree.users["county_viewer"])).status_code == 403
    assert not Transfer.objects.exists()


def _transfer(tree):
    return send_transfer(
        member=tree.member_a,
        to_org=tree.branch_b,
        sent_on=dt.date(2025, 3, 1),
        by=tree.users["secretary"],
    )


def test_transfers_inbox_and_outbox(tree, client_for):
    transfer = _transfer(tree)
    inbox = client_for(tree.users["outsider"]).get(_url("members:transfers"))
    assert [row["transfer"] for row in inbox.context["rows"]] == [transfer]
    row = inbox.context["rows"][0]
    assert (row["member_visible"], row["can_answer"], row["can_cancel"]) == (False, True, False)
    assert _url("members:detail", "MA1") not in inbox.text
    assert "张三" in inbox.text
    outbox = client_for(tree.users["secretary"]).get(_url("members:transfers"), {"box": "out"})
    row = outbox.context["rows"][0]
    assert (row["member_visible"], row["can_answer"], row["can_cancel"]) == (True, False, True)
    assert _url("members:detail", "MA1") in outbox.text
    assert client_for(tree.users["secretary"]).get(_url("members:transfers")).context["rows"] == []


def test_transfers_status_filter(tree, client_for):
    _transfer(tree)
    client = client_for(tree.users["outsider"])
    assert len(client.get(_url("members:transfers"), {"status": "in_transit"}).context["rows"]) == 1
    assert client.get(_url("members:transfers"), {"status": "received"}).context["rows"] == []


def test_transfers_htmx_gets_fragment(tree, client_for):
    _transfer(tree)
    response = client_for(tree.users["outsider"]).get(
        _url("members:transfers"), {"box": "in"}, **HTMX
    )
    assert "<html" not in response.text
    assert 'id="transfer-results"' in response.text
    assert "张三" in response.text


def test_transfer_detail_shows_member_to_receiving_side(tree, client_for):
    transfer = _transfer(tree)
    response = client_for(tree.users["outsider"]).get(_url("members:transfer_detail", transfer.pk))
    assert response.status_code == 200
    assert "张三" in response.text
    assert tree.member_a.id_number_masked in response.text
    assert tree.member_a.birth_date.strftime("%Y-%m-%d") in response.text
    assert "青山村党支部" in response.text
    assert response.context["member_visible"] is False
    assert client_for(tree.users["outsider"]).get(_url("members:detail", "MA1")).status_code == 404


def test_transfer_detail_out_of_scope_is_404(tree, client_for):
    transfer = _transfer(tree)
    other = make_user("other", org=tree.branch_a2, role="admin")
    assert client_for(other).get(_url("members:transfer_detail", transfer.pk)).status_code == 404


def test_transfer_receive_from_receiving_side(tree, client_for):
    transfer = _transfer(tree)
    client = client_for(tree.users["outsider"])
    response = client.post(
        _url("members:transfer_receive", transfer.pk),
        {"received_on": "2025-03-10", "next": _url("members:transfers")},
    )
    assert response.status_code == 302
    assert response.url == _url("members:transfers")
    transfer.refresh_from_db()
    tree.member_a.refresh_from_db()
    assert (transfer.status, tree.member_a.org) == ("received", tree.branch_b)
    assert client.get(_url("members:detail", "MA1")).status_code == 200
    assert client_for(tree.users["secretary"]).get(_url("members:detail", "MA1")).status_code == 404


def test_transfer_receive_bad_date_shows_error(tree, client_for):
    transfer = _transfer(tree)
    response = client_for(tree.users["outsider"]).post(
        _url("members:transfer_receive", transfer.pk), {"received_on": "2025-02-01"}
    )
    assert response.status_code == 200
    assert response.context["receive_form"].errors["received_on"] == ["接收日期不能早于转出日期"]
    transfer.refresh_from_db()
    assert transfer.status == "in_transit"


def test_transfer_reject_needs_note(tree, client_for):
    transfer = _transfer(tree)
    client = client_for(tree.users["outsider"])
    response = client.post(_url("members:transfer_reject", transfer.pk), {"reject-note": " "})
    assert response.context["reject_form"].errors["note"] == ["退回时请说明原因"]
    response = client.post(
        _url("members:transfer_reject", transfer.pk), {"reject-note": "材料不全"}
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, transfer.answer_note) == ("rejected", "材料不全")
    tree.member_a.refresh_from_db()
    assert tree.member_a.org == tree.branch_a


def test_transfer_cancel_from_sending_side(tree, client_for):
    transfer = _transfer(tree)
    response = client_for(tree.users["secretary"]).post(
        _url("members:transfer_cancel", transfer.pk), {"cancel-note": "填错了"}
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, transfer.answer_note) == ("cancelled", "填错了")


def test_transfer_closed_cannot_be_answered_again(tree, client_for):
    transfer = _transfer(tree)
    client_for(tree.users["secretary"]).post(_url("members:transfer_cancel", transfer.pk))
    response = client_for(tree.users["outsider"]).post(
        _url("members:transfer_receive", transfer.pk), {"received_on": today().isoformat()}
    )
    assert response.status_code == 200
    assert response.context["receive_form"].non_field_errors() == ["该转接已已撤回，不能再办理"]


def test_transfer_sides_cannot_act_for_each_other(tree, client_for):
    transfer = _transfer(tree)
    sender = client_for(tree.users["secretary"])
    assert (
        sender.post(
            _url("members:transfer_receive", transfer.pk), {"received_on": "2025-03-10"}
        ).status_code
        == 403
    )
    assert (
        sender.post(_url("members:transfer_reject", transfer.pk), {"reject-note": "x"}).status_code
        == 403
    )
    receiver = client_for(tree.users["outsider"])
    assert receiver.post(_url("members:transfer_cancel", transfer.pk)).status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == "in_transit"


def test_transfer_viewer_gets_403(tree, client_for):
    transfer = _transfer(tree)
    viewer = client_for(tree.users["county_viewer"])
    assert viewer.post(_url("members:transfer_cancel", transfer.pk)).status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == "in_transit"
