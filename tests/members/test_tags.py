"""Skills (实用技术) and talent tags (MEM-04) from the policy's catalogues: added, ended,
refused outside the catalogue of the member's org's policy; the member's page and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from xianfeng.compliance.domain import save_policy
from xianfeng.members import talents
from xianfeng.members.models import MemberTag

pytestmark = pytest.mark.django_db
D = dt.date


MAY = D(2024, 5, 1)


def tag(member, name="种植技术", kind="skill", since=MAY, by=None):
    return talents.add_member_tag(member=member, kind=kind, tag=name, since=since, by=by)


def test_mem_04_skill_and_talent_tags_from_the_national_catalogue(tree):
    secretary = tree.users["secretary"]
    skill = tag(tree.member_a, by=secretary)
    talent = tag(tree.member_a, "致富能手", "talent", by=secretary)
    assert [(t.kind, t.tag) for t in talents.tags_of(tree.member_a)] == [
        ("skill", "种植技术"),
        ("talent", "致富能手"),
    ]
    assert skill.history.get().history_user == secretary
    assert talent.until is None


def test_mem_04_tag_outside_the_catalogue_is_refused(tree):
    with pytest.raises(ValidationError) as error:
        tag(tree.member_a, "致富能手", "skill")
    [text] = error.value.message_dict["tag"]
    assert text.startswith("“致富能手”不在本组织适用的实用技术（专长）目录中（可选：种植技术、")


def test_mem_04_catalogue_of_the_members_org_policy(tree):
    text = """
[policy]
code = "local-tags"
title = "本地标签"
source = "测试"

[members.tags]
skills = { value = ["葡萄种植"], source = "测试" }
"""
    save_policy(text=text, org=tree.town_a)
    assert talents.tag_catalogue(tree.branch_a, "skill") == ["葡萄种植"]
    tag(tree.member_a, "葡萄种植")
    with pytest.raises(ValidationError):
        tag(tree.member_a, "种植技术")
    tag(tree.member_b, "种植技术")  # county B keeps the national catalogue


def test_mem_04_one_open_tag_of_a_name_and_ending_it(tree):
    first = tag(tree.member_a)
    with pytest.raises(ValidationError) as error:
        tag(tree.member_a, since=D(2024, 6, 1))
    assert error.value.message_dict == {"tag": ["张三已有“种植技术”标签"]}
    talents.end_member_tag(member_tag=first, until=D(2024, 6, 1), by=None)
    tag(tree.member_a, since=D(2024, 9, 1))
    with pytest.raises(ValidationError) as error:
        talents.end_member_tag(member_tag=first, until=D(2024, 7, 1), by=None)
    assert error.value.message_dict == {"until": ["该标签已于2024年6月1日失效"]}
    open_on = MemberTag.objects.filter(talents.tags_open_on(D(2024, 7, 1)))
    assert not open_on.exists()


def test_mem_04_member_out_of_scope_reads_as_missing(tree):
    with pytest.raises(ValidationError) as error:
        tag(tree.member_b, by=tree.users["secretary"])
    assert error.value.message_dict == {"member": ["没有找到党员“MB1”"]}


def test_mem_04_talents_page_adds_and_ends_tags(client_for, tree):
    client = client_for(tree.users["secretary"])
    data = {"kind": "talent", "tag": "科技骨干", "since": "2024-03-01", "note": "农技站"}
    assert client.post("/members/MA1/talents/tags/", data).status_code == 302
    saved = MemberTag.objects.get()
    page = client.get("/members/MA1/talents/").content.decode()
    assert "科技骨干" in page and "农技站" in page
    end = client.post(f"/members/MA1/talents/tags/{saved.pk}/end/", {"until": "2024-12-31"})
    assert end.status_code == 302
    saved.refresh_from_db()
    assert saved.until == D(2024, 12, 31)
    wrong = client.post("/members/MA1/talents/tags/", {**data, "kind": "skill"})
    assert wrong.status_code == 200 and "不在本组织适用的" in wrong.content.decode()


def test_mem_04_member_detail_links_the_talents_page(client_for, tree):
    body = client_for(tree.users["secretary"]).get("/members/MA1/").content.decode()
    assert "/members/MA1/talents/" in body and "/members/MA1/discipline/" in body
    viewer = client_for(tree.users["county_viewer"]).get("/members/MA1/").content.decode()
    assert "/members/MA1/talents/" in viewer and "/members/MA1/discipline/" not in viewer


def test_mem_04_api_adds_lists_and_ends(client_for, tree):
    client = client_for(tree.users["secretary"])
    body = {"kind": "skill", "tag": "电子商务", "since": "2024-01-02"}
    created = client.post("/api/members/MA1/tags", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["kind_label"] == "实用技术（专长）"
    pk = created.json()["id"]
    ended = client.post(
        f"/api/members/MA1/tags/{pk}/end", {"until": "2024-02-01"}, content_type="application/json"
    )
    assert ended.json()["until"] == "2024-02-01"
    listed = client.get("/api/members/MA1/talents").json()
    assert [t["tag"] for t in listed["tags"]] == ["电子商务"]
    refused = client.post(
        "/api/members/MA1/tags", {**body, "tag": "不存在"}, content_type="application/json"
    )
    assert refused.status_code == 422 and "tag" in refused.json()["errors"]
