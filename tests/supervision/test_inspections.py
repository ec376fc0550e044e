"""Half-year inspections (TASK-04): a stratified random sample (level × sector) that the
same seed draws again, what was looked at and the problems found (items), and the
inspection notices (督查通报) published once to the officers of the orgs named."""

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_org
from xianfeng.notices.models import Notice
from xianfeng.supervision.domain import inspections as domain
from xianfeng.supervision.models import Inspection, InspectionNotice, InspectionTarget, Item

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 7, 6)


@pytest.fixture
def county(tree):
    """County A with, besides town A (town·rural) and its two branches, 12 more rural
    branches and 3 government branches (a party group is never sampled)."""
    for n in range(12):
        make_org(tree.town_a, kind="branch", code=f"CA-T1-R{n:02d}", name=f"村党支部{n}")
    gov = make_org(
        tree.county_a, kind="general_branch", code="CA-G", level="county", sector="government"
    )
    for n in range(3):
        make_org(gov, kind="branch", code=f"CA-G-B{n}", sector="government")
    return tree


def _codes(sample):
    return [org.code for org, _ in sample]


# (share, min per stratum, sizes per stratum) — strata of county A: 县级·机关 1,
# 乡镇（街道）·农村 1, 村（社区）·农村 14, 村（社区）·机关 3
SIZES = [
    (0.1, 5, {"县级·机关": 1, "乡镇（街道）·农村": 1, "村（社区）·农村": 5, "村（社区）·机关": 3}),
    (0.5, 2, {"县级·机关": 1, "乡镇（街道）·农村": 1, "村（社区）·农村": 7, "村（社区）·机关": 2}),
    (1.0, 0, {"县级·机关": 1, "乡镇（街道）·农村": 1, "村（社区）·农村": 14, "村（社区）·机关": 3}),
    (0.0, 1, {"县级·机关": 1, "乡镇（街道）·农村": 1, "村（社区）·农村": 1, "村（社区）·机关": 1}),
]


@pytest.mark.parametrize(("share", "minimum", "sizes"), SIZES)
def test_task_04_sample_is_stratified_by_level_and_sector(county, share, minimum, sizes):
    sample = domain.draw_sample(
        county.county_a, period="2026-H1", seed=7, share=share, min_per_stratum=minimum
    )
    assert Counter(stratum for _, stratum in sample) == sizes
    assert "CA-T1-B1-G1" not in _codes(sample) and "CA" not in _codes(sample)


def test_task_04_same_seed_draws_the_same_sample(county):
    draw = lambda seed: _codes(  # noqa: E731
        domain.draw_sample(
            county.county_a, period="2026-H1", seed=seed, share=0.1, min_per_stratum=5
        )
    )
    assert draw(20260706) == draw(20260706)
    assert draw(1) != draw(2)


def test_task_04_inspection_stores_seed_rule_and_sample(county):
    officer = county.users["county_officer"]
    inspection = domain.start_inspection(
        county.county_a, period="2026-H1", date=DAY, by=officer, seed=42
    )
    expected = domain.draw_sample(
        county.county_a, period="2026-H1", seed=42, share=0.1, min_per_stratum=5
    )
    stored = list(inspection.targets.order_by("org__path").values_list("org__code", "stratum"))
    assert stored == [(org.code, stratum) for org, stratum in expected]
    assert inspection.seed == 42 and "随机种子 42" in inspection.sampling
    assert "不少于 5 个" in inspection.sampling and "10%" in inspection.sampling
    assert inspection.title == "2026年上半年督查"


# (case, period, date, who, field or refusal)
BAD_INSPECTIONS = [
    ("bad period", "2026-Q1", DAY, "county_officer", "period"),
    ("no date", "2026-H1", None, "county_officer", "date"),
    ("date before the half year", "2026-H2", dt.date(2026, 6, 30), "county_officer", "date"),
    ("viewer", "2026-H1", DAY, "county_viewer", PermissionDenied),
    ("outsider", "2026-H1", DAY, "outsider", "org"),
    ("twice", "2026-H1", DAY, "county_officer", "period"),
]


@pytest.mark.parametrize(
    ("case", "period", "date", "who", "expected"),
    BAD_INSPECTIONS,
    ids=[c[0] for c in BAD_INSPECTIONS],
)
def test_task_04_inspection_refuses(county, case, period, date, who, expected):
    if case == "twice":
        domain.start_inspection(
            county.county_a, period="2026-H1", date=DAY, by=county.users["county_officer"]
        )
    before = (Inspection.objects.count(), InspectionTarget.objects.count())
    with pytest.raises(ValidationError if isinstance(expected, str) else expected) as caught:
        domain.start_inspection(county.county_a, period=period, date=date, by=county.users[who])
    if isinstance(expected, str):
        assert expected in caught.value.message_dict
    assert (Inspection.objects.count(), InspectionTarget.objects.count()) == before


def test_task_04_inspection_records_findings_and_problems_become_items(county):
    officer = county.users["county_officer"]
    inspection = domain.start_inspection(
        county.county_a, period="2026-H1", date=DAY, by=officer, seed=3
    )
    target = inspection.targets.order_by("org__path").first()
    domain.record_target(
        target, looked_at="查阅会议记录", conclusion="基本规范，个别记录不全", by=officer
    )
    item = domain.add_problem(
        target, title="三会一课记录不全", deadline=dt.date(2026, 9, 30), by=officer, created_on=DAY
    )
    assert (item.org, item.origin, item.inspection, item.kind) == (
        target.org,
        "inspection",
        inspection,
        "problem",
    )
    with pytest.raises(ValidationError) as caught:
        domain.add_problem(target, title="x", deadline=dt.date(2026, 1, 1), by=officer)
    assert "deadline" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        domain.record_target(target, looked_at="", conclusion="x", by=officer)
    assert "looked_at" in caught.value.message_dict
    assert Item.objects.count() == 1


# --- notices --------------------------------------------------------------------------------


def _notice(tree, **extra):
    fields = dict(
        number="东组督〔2026〕1号",
        date=DAY,
        title="关于上半年督查情况的通报",
        body="现将督查情况通报如下。",
        recipients="CA-T1-B1、CA-T1-B2",
    )
    fields.update(extra)
    return domain.create_notice(tree.county_a, by=tree.users["county_officer"], **fields)


def test_task_04_notice_is_published_to_the_officers_of_the_orgs_named_once(tree):
    notice = _notice(tree)
    assert set(notice.recipients.values_list("code", flat=True)) == {"CA-T1-B1", "CA-T1-B2"}
    told = domain.publish_notice(notice, by=tree.users["county_officer"])
    users = set(Notice.objects.values_list("user__username", flat=True))
    assert told == 2 and users == {"secretary", "county_officer"}
    assert "东组督〔2026〕1号" in Notice.objects.first().title
    with pytest.raises(ValidationError) as caught:
        domain.publish_notice(notice, by=tree.users["county_officer"])
    assert "published_at" in caught.value.message_dict
    assert Notice.objects.count() == 2


# (case, changes, field)
BAD_NOTICES = [
    ("number reused", {}, "number"),
    ("no number", {"number": " "}, "number"),
    ("no date", {"date": None}, "date"),
    ("no body", {"body": ""}, "body"),
    ("no recipients", {"recipients": " "}, "recipients"),
    ("recipient out of scope", {"recipients": "CA-T1-B1、CB-T1-B1"}, "recipients"),
    ("recipient missing", {"recipients": "CA-T1-B1、NOSUCH"}, "recipients"),
    ("recipient above", {"recipients": "CITY"}, "recipients"),
    ("inspection of another org", {"inspection": 987654}, "inspection"),
]


@pytest.mark.parametrize(("case", "changes", "field"), BAD_NOTICES, ids=[c[0] for c in BAD_NOTICES])
def test_task_04_notice_refuses(tree, case, changes, field):
    if case == "number reused":
        _notice(tree)
    before = (InspectionNotice.objects.count(), InspectionNotice.recipients.through.objects.count())
    with pytest.raises(ValidationError) as caught:
        _notice(tree, **changes)
    assert field in caught.value.message_dict
    after = (InspectionNotice.objects.count(), InspectionNotice.recipients.through.objects.count())
    assert after == before


def test_task_04_out_of_scope_recipient_reads_as_missing(tree):
    answers = []
    for code in ["CB-T1-B1", "NOSUCH"]:
        with pytest.raises(ValidationError) as caught:
            _notice(tree, recipients=code)
        answers.append(caught.value.message_dict["recipients"][0].replace(code, "<REF>"))
    assert answers[0] == answers[1] == "没有找到党组织“<REF>”"


def test_task_04_notice_refused_for_viewer(tree):
    with pytest.raises(PermissionDenied):
        domain.create_notice(
            tree.county_a,
            by=tree.users["county_viewer"],
            number="1",
            date=DAY,
            title="t",
            body="b",
            recipients="CA-T1",
        )


def test_task_04_inspection_and_notice_pages(client_for, county):
    client = client_for(county.users["county_officer"])
    response = client.post(
        "/supervision/orgs/CA/inspections/new/",
        {"period": "2026-H1", "date": "2026-07-06", "title": "", "seed": "9"},
    )
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    page = client.get(f"/supervision/inspections/{inspection.pk}/").content.decode()
    assert "随机种子 9" in page
    target = inspection.targets.first()
    bad = client.post(
        f"/supervision/inspection-targets/{target.pk}/problems/",
        {"title": "台账缺失", "deadline": "2020-01-01"},
    )
    assert bad.status_code == 400 and "整改时限不能早于创建日期" in bad.content.decode()
    notice = client.post(
        "/supervision/orgs/CA/notices/new/",
        {
            "number": "东组督〔2026〕2号",
            "date": "2026-07-10",
            "title": "通报",
            "body": "正文",
            "recipients": target.org.code,
            "inspection": str(inspection.pk),
        },
    )
    assert notice.status_code == 302
    saved = InspectionNotice.objects.get()
    assert saved.inspection == inspection
    assert client.post(f"/supervision/notices/{saved.pk}/publish/").status_code == 302
    assert InspectionNotice.objects.get().published_at is not None
    again = client.post(
        "/supervision/orgs/CA/notices/new/",
        {
            "number": "东组督〔2026〕2号",
            "date": "2026-07-10",
            "title": "t",
            "body": "b",
            "recipients": "CB-T1-B1",
        },
    )
    assert again.status_code == 400 and "已被使用" in again.content.decode()
