"""The talent pool (DEV-07, seed 000 §4.3, seed 001 §4.1): the survey of non-members with
the policy's talent tags, ID numbers stored like members', the filters of the pool, and
the moves out of it — into track (b), into the pipeline as an applicant, leaving."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_id, make_member
from xianfeng.compliance.domain import adopt_policy
from xianfeng.lib.cipher import get_cipher, lookup_hash
from xianfeng.recruitment.domain import talent as domain
from xianfeng.recruitment.models import (
    Cultivation,
    CultivationStatus,
    Person,
    Stage,
    TalentEntry,
    TalentStatus,
    Track,
)
from xianfeng.recruitment.queries.talent import talent_pool

pytestmark = pytest.mark.django_db
D = dt.date
SURVEYED = D(2025, 1, 5)


def _register(org, by=None, **fields):
    arguments = {"name": "郑能手", "kind": "grower", "surveyed_on": SURVEYED, **fields}
    return domain.register_talent(org=org, by=by, **arguments)


def test_dev_07_id_number_stored_encrypted_hashed_and_masked(tree):
    number = make_id(D(1990, 5, 17))
    entry = _register(tree.branch_a, id_number=number, tags=["致富能手"], occupation="蔬菜种植")
    assert entry.id_number_masked == number[:14] + "****"
    assert entry.id_number_hmac == lookup_hash(number)
    assert get_cipher().decrypt(entry.id_number_cipher) == number
    assert (entry.birth_date, entry.sector, entry.tags) == (D(1990, 5, 17), "rural", ["致富能手"])
    assert number not in str(entry.history.get().__dict__)


REFUSALS = [
    # (test id, fields, field, message start)
    ("dev_07_name_required", {"name": " "}, "name", "请填写姓名"),
    ("dev_07_kind_required", {"kind": "mayor"}, "kind", "请选择人才类别"),
    (
        "dev_07_tag_from_catalogue",
        {"tags": ["村霸"]},
        "tags",
        "未知的人才标签“村霸”，可选：致富能手",
    ),
    ("dev_07_bad_id_number", {"id_number": "320602199001011234"}, "id_number", "身份证号"),
    (
        "dev_07_id_number_gender",
        {"id_number": "GENDER", "gender": "2"},
        "gender",
        "性别与身份证号不一致",
    ),
    ("dev_07_future_survey", {"surveyed_on": D(2999, 1, 1)}, "surveyed_on", "摸底日期不能晚于今天"),
    ("dev_07_unknown_sector", {"sector": "moon"}, "sector", "请选择所在领域"),
]


@pytest.mark.parametrize(
    ("case", "fields", "field", "message"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_dev_07_survey_refusals(tree, case, fields, field, message):
    if fields.get("id_number") == "GENDER":
        fields["id_number"] = make_id(sequence=11)  # odd sequence: male
    with pytest.raises(ValidationError) as refused:
        _register(tree.branch_a, **fields)
    [text] = refused.value.message_dict[field]
    assert text.startswith(message) or message in text, text
    assert not TalentEntry.objects.exists()


def test_dev_07_tags_follow_the_policy_and_its_order(tree):
    entry = _register(tree.branch_a, tags="科技骨干、致富能手,致富能手")
    assert entry.tags == ["致富能手", "科技骨干"]


def test_dev_07_duplicate_number_in_scope_is_named(tree):
    number = make_id()
    _register(tree.branch_a, id_number=number)
    with pytest.raises(ValidationError) as refused:
        _register(tree.branch_a2, name="另一人", id_number=number, by=tree.users["county_officer"])
    assert refused.value.message_dict["id_number"] == [
        "该身份证号已在人才库登记为郑能手（青山村党支部）"
    ]


def test_dev_07_duplicate_number_out_of_scope_is_neutral(tree):
    number = make_id()
    _register(tree.branch_b, id_number=number)
    with pytest.raises(ValidationError) as refused:
        _register(tree.branch_a, name="另一人", id_number=number, by=tree.users["secretary"])
    assert refused.value.message_dict["id_number"] == ["该身份证号已在其他党组织的人才库登记"]


def test_dev_07_a_member_is_no_talent_of_the_pool(tree):
    number = make_id()
    make_member(tree.branch_b, id_number=number)
    with pytest.raises(ValidationError) as refused:
        _register(tree.branch_a, id_number=number, by=tree.users["secretary"])
    [text] = refused.value.message_dict["id_number"]
    assert text.startswith("该身份证号已在其他党组织登记") and "人才库只收非党员" in text
    assert "王五" not in text


def test_dev_07_viewer_may_not_survey(tree):
    with pytest.raises(PermissionDenied):
        _register(tree.branch_a, by=tree.users["county_viewer"])


def test_dev_07_org_out_of_scope_reads_like_missing(tree):
    with pytest.raises(ValidationError) as refused:
        _register(tree.branch_b, by=tree.users["secretary"])
    assert refused.value.message_dict["org"] == ["没有找到党组织“CB-T1-B1”"]


FILTERS = [
    ("dev_07_filter_kind", {"kind": "broker"}, ["钱经纪"]),
    ("dev_07_filter_tag", {"tag": "科技骨干"}, ["孙技工"]),
    ("dev_07_filter_sector", {"sector": "private"}, ["孙技工"]),
    ("dev_07_filter_text", {"text": "养殖"}, ["钱经纪"]),
    ("dev_07_filter_status", {"status": "left"}, []),
    ("dev_07_no_filter", {}, sorted(["孙技工", "钱经纪", "郑能手"])),
]


@pytest.mark.parametrize(("case", "filters", "names"), FILTERS, ids=[f[0] for f in FILTERS])
def test_dev_07_pool_filters(tree, case, filters, names):
    _register(tree.branch_a)
    _register(tree.branch_a2, name="钱经纪", kind="broker", occupation="生猪养殖经纪")
    _register(tree.branch_a, name="孙技工", kind="skilled", tags=["科技骨干"], sector="private")
    _register(tree.branch_b, name="外县人")
    found = talent_pool(tree.town_a, **filters)
    assert sorted(entry.name for entry in found) == names


def test_dev_07_into_track_b(tree):
    entry = _register(tree.branch_a)
    found = domain.cultivate_talent(
        entry=entry, started_on=D(2025, 3, 1), goal="发展为党员", by=None
    )
    entry.refresh_from_db()
    assert (found.track, found.talent, entry.status) == (
        Track.TALENT_TO_MEMBER,
        entry,
        TalentStatus.CULTIVATING,
    )


def test_dev_07_into_the_pipeline_with_the_stored_number(tree):
    number = make_id(D(1990, 5, 17))
    entry = _register(tree.branch_a, id_number=number, occupation="蔬菜种植", phone="13800000000")
    person = domain.enter_pipeline(
        entry=entry, applied_on=D(2025, 3, 1), by=tree.users["secretary"]
    )
    entry.refresh_from_db()
    assert (person.talent, person.stage, person.occupation) == (entry, Stage.APPLICANT, "蔬菜种植")
    assert (entry.status, person.id_number_hmac) == (TalentStatus.PIPELINE, entry.id_number_hmac)
    with pytest.raises(ValidationError) as refused:
        domain.enter_pipeline(entry=entry, applied_on=D(2025, 3, 1), by=None)
    assert refused.value.message_dict["status"] == ["“郑能手”已递交入党申请"]


def test_dev_07_into_the_pipeline_needs_a_number(tree):
    entry = _register(tree.branch_a)
    with pytest.raises(ValidationError) as refused:
        domain.enter_pipeline(entry=entry, applied_on=D(2025, 3, 1), by=None)
    assert refused.value.message_dict["id_number"] == ["请填写身份证号"]
    person = domain.enter_pipeline(
        entry=entry, applied_on=D(2025, 3, 1), id_number=make_id(D(1991, 2, 3)), by=None
    )
    assert Person.objects.get() == person


def test_dev_07_mark_left_stops_track_b(tree):
    entry = _register(tree.branch_a)
    found = domain.cultivate_talent(entry=entry, started_on=D(2025, 3, 1), by=None)
    domain.mark_left(entry=entry, on=D(2025, 6, 1), reason="外出务工", by=tree.users["secretary"])
    entry.refresh_from_db()
    found.refresh_from_db()
    assert (entry.status, entry.note) == (TalentStatus.LEFT, "2025-06-01出库：外出务工")
    assert (found.status, found.status_since) == (CultivationStatus.STOPPED, D(2025, 6, 1))
    assert entry.history.latest().history_user == tree.users["secretary"]
    with pytest.raises(ValidationError) as refused:
        domain.cultivate_talent(entry=entry, started_on=D(2025, 7, 1), by=None)
    assert refused.value.message_dict["status"] == ["“郑能手”已出库"]


def test_dev_07_mark_left_needs_reason_and_date(tree):
    entry = _register(tree.branch_a)
    with pytest.raises(ValidationError) as refused:
        domain.mark_left(entry=entry, on=D(2024, 12, 1), reason="搬走", by=None)
    assert refused.value.message_dict["on"] == ["出库日期不能早于摸底日期2025-01-05"]
    with pytest.raises(ValidationError) as refused:
        domain.mark_left(entry=entry, on=D(2025, 6, 1), reason="", by=None)
    assert refused.value.message_dict["reason"] == ["请填写出库原因"]
    assert not Cultivation.objects.exists()


def test_dev_07_update_survey_fields(tree):
    entry = _register(tree.branch_a)
    domain.update_talent(entry=entry, tags=["致富能手"], occupation="葡萄种植", by=None)
    entry.refresh_from_db()
    assert (entry.tags, entry.occupation) == (["致富能手"], "葡萄种植")
    with pytest.raises(ValidationError) as refused:
        domain.update_talent(entry=entry, status="left", by=None)
    assert refused.value.message_dict["status"] == ["该项不能修改"]


def test_dev_07_tags_of_a_local_policy(tree):
    adopt_policy(org=tree.city, code="001-talent")
    assert "致富能手" in domain.talent_tags(tree.branch_a, SURVEYED)
