"""Exporting recruitment (PLAT-03 with DEV-01 … DEV-07): every kind in its import sheets'
columns, ID numbers masked unless the export is unmasked, scoped to the user; the whole
export re-imports into an empty recruitment database as the same records (round trip:
export → wipe → import → same rows, compared by natural values), and again writes
nothing; a masked export re-imports as unchanged."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.factories import make_id, make_member
from xianfeng.bench import roundtrip
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.members.models import Member
from xianfeng.recruitment.domain import cultivation, mentors, people, steps, talent, targets
from xianfeng.recruitment.models import (
    Cultivation,
    CultivationEntry,
    Introducer,
    Mentor,
    Person,
    Step,
    TalentEntry,
    Target,
)
from xianfeng.study.domain import create_training_class

pytestmark = pytest.mark.django_db

D = dt.date
COMMITTEE = {
    "activist_filed",
    "candidate_agreed",
    "pre_review",
    "approval",
    "conversion_approval",
}
SCHEDULE = [
    ("talk", D(2024, 1, 25), {"decided_by": "王书记"}),
    ("activist", D(2024, 3, 1), {}),
    ("mentor", D(2024, 3, 1), {}),
    ("activist_filed", D(2024, 3, 10), {}),
    ("review", D(2024, 9, 1), {"conclusion": "表现良好"}),
    ("thought_report", D(2024, 10, 8), {}),
    ("candidate", D(2025, 3, 1), {}),
    ("candidate_agreed", D(2025, 3, 10), {}),
    ("candidate_notice", D(2025, 3, 17), {"ends_on": D(2025, 3, 21)}),
    ("introducers", D(2025, 3, 24), {}),
    ("political_review", D(2025, 3, 25), {"conclusion": "政治审查合格"}),
    ("short_training", D(2025, 3, 26), {"training_class": "class"}),
    ("pre_review", D(2025, 4, 1), {}),
    ("volunteer_book", D(2025, 4, 5), {"conclusion": "ZY2025-001"}),
    ("admission_meeting", D(2025, 4, 20), {"voters": 10, "present": 8, "in_favour": 7}),
    ("approval", D(2025, 5, 10), {}),
    ("oath", D(2025, 5, 20), {}),
    ("conversion_application", D(2026, 3, 10), {}),
    ("conversion_notice", D(2026, 3, 16), {"ends_on": D(2026, 3, 20)}),
    ("conversion_meeting", D(2026, 4, 20), {"voters": 10, "present": 9, "in_favour": 9}),
    ("conversion_approval", D(2026, 5, 10), {}),
]
RECRUITMENT = (Person, Step, Mentor, Introducer, CultivationEntry, Cultivation, TalentEntry, Target)


def _class(tree, starts_on, *, days):
    return create_training_class(
        org=tree.town_a,
        kind="other",
        title="发展对象培训班",
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=days - 1),
        days=days,
        hours=days * 8,
    )


def _walk(tree, person, second) -> None:
    secretary, officer = tree.users["secretary"], tree.users["county_officer"]
    for kind, on, fields in SCHEDULE:
        if kind == "mentor":
            mentors.assign_mentor(person=person, member=tree.member_a, on=on, by=secretary)
        elif kind == "introducers":
            members = [tree.member_a, second]
            mentors.choose_introducers(person=person, members=members, on=on, by=secretary)
        else:
            by = officer if kind in COMMITTEE else secretary
            if fields.get("training_class") == "class":
                fields = {"training_class": _class(tree, D(2025, 3, 24), days=3)}
            steps.record_step(person=person, kind=kind, on=on, by=by, **fields)
        person.refresh_from_db()


def _records(tree) -> None:
    """A little of everything, made through the domain."""
    secretary, officer, admin = (
        tree.users[n] for n in ("secretary", "county_officer", "city_admin")
    )
    second = make_member(tree.branch_a, code="MA9", name="孙七")
    number = make_id(D(1995, 6, 1))
    pooled = talent.register_talent(
        org=tree.branch_a,
        name="赵六",
        kind="grower",
        surveyed_on=D(2023, 12, 1),
        id_number=number,
        tags=["致富能手"],
        occupation="种粮大户",
        by=secretary,
    )
    track_b = cultivation.open_cultivation(
        org=tree.branch_a,
        track="talent_to_member",
        talent=pooled,
        started_on=D(2024, 1, 5),
        by=secretary,
    )
    cultivation.add_entry(
        cultivation=track_b, on=D(2024, 2, 1), kind="theory", title="党的基本知识", by=secretary
    )
    left = talent.register_talent(
        org=tree.branch_a, name="钱八", kind="migrant", surveyed_on=D(2024, 2, 1), by=secretary
    )
    talent.mark_left(entry=left, on=D(2024, 6, 1), reason="外出务工", by=secretary)
    track_a = cultivation.open_cultivation(
        org=tree.branch_a2,
        track="member_to_talent",
        member="MA2",
        started_on=D(2024, 4, 1),
        by=officer,
    )
    cultivation.add_entry(
        cultivation=track_a,
        on=D(2024, 5, 1),
        kind="training",
        title="电商培训",
        hours=8,
        by=officer,
    )
    cultivation.add_entry(
        cultivation=track_a,
        on=D(2024, 6, 3),
        kind="training",
        title="农技培训",
        training_class=_class(tree, D(2024, 6, 3), days=2),
        by=officer,
    )
    targets.set_target(
        setter=tree.city, org=tree.city, year=2025, kind="admissions", value=100, by=admin
    )
    targets.set_target(setter=tree.city, org="CA", year=2025, kind="admissions", value=50, by=admin)
    targets.set_target(
        setter=tree.county_a,
        org="CA-T1",
        year=2025,
        kind="member_to_talent",
        value=10,
        note="分解",
        by=officer,
    )

    person = people.register_applicant(
        org=tree.branch_a,
        name="赵六",
        id_number=number,
        applied_on=D(2024, 1, 10),
        talent=pooled,
        education="20",
        by=secretary,
    )
    _walk(tree, person, second)
    cultivation.set_cultivation_status(
        cultivation=track_b, status="done", on=D(2024, 3, 15), by=secretary
    )

    moved = people.register_applicant(
        org=tree.branch_a,
        name="周九",
        id_number=make_id(D(1990, 2, 2)),
        applied_on=D(2024, 4, 1),
        by=secretary,
    )
    steps.record_step(person=moved, kind="activist", on=D(2024, 6, 1), by=secretary)
    mentor = mentors.assign_mentor(
        person=moved, member=tree.member_a, on=D(2024, 6, 1), by=secretary
    )
    mentors.end_mentor(mentor=mentor, on=D(2024, 7, 15), by=secretary)
    mentors.assign_mentor(person=moved, member=tree.member_a2, on=D(2024, 7, 15), by=officer)
    people.transfer_person(person=moved, to_org=tree.branch_a2, on=D(2024, 8, 1), by=officer)

    ended = people.register_applicant(
        org=tree.branch_a,
        name="吴十",
        id_number=make_id(D(1992, 3, 3)),
        applied_on=D(2024, 5, 1),
        by=secretary,
    )
    people.end_person(person=ended, on=D(2024, 7, 1), reason="本人申请撤回", by=secretary)


def _snapshot() -> dict:
    shot = roundtrip.snapshot()
    return {label: table for label, table in shot.items() if label.startswith("recruitment.")}


def _import(path, by=None):
    try:
        return run_import(path, by=by)
    except ImportFailed as failed:
        raise AssertionError([error.line() for error in failed.errors]) from None


def _wipe() -> None:
    for model in RECRUITMENT:
        model.objects.all().delete()


def test_plat_03_recruitment_round_trip_on_an_empty_database(tmp_path, tree):
    _records(tree)
    before = _snapshot()
    assert before["recruitment.Step"].count() == len(SCHEDULE) - 1 + 1 + 3 + 2

    record = export(kind="recruitment", target=tmp_path / "r.xlsx", user=None, unmasked=True)
    assert record.rows == sum(table.count() for table in before.values())
    _wipe()
    result = _import(tmp_path / "r.xlsx", by=None)

    differences = roundtrip.diff(before, _snapshot())
    assert differences == {}, json.dumps(differences, ensure_ascii=False, indent=1, default=str)
    assert result.counts["recruitment_people"]["created"] == 3
    again = _import(tmp_path / "r.xlsx", by=None)
    assert sum(c["created"] + c["updated"] for c in again.counts.values()) == 0


def test_plat_03_whole_database_round_trip_restores_admitted_and_converted_people(tmp_path, tree):
    _records(tree)

    report = roundtrip.round_trip(tmp_path / "all")

    refused = {name: r for name, r in report["imported"].items() if "errors" in r}
    assert refused == {}, json.dumps(refused, ensure_ascii=False, default=str)
    mismatches = json.dumps(report["mismatches"], ensure_ascii=False, indent=1, default=str)
    assert report["mismatches"] == {}, mismatches
    assert report["rows_equal"] == report["total_before"]
    assert report["reimport_writes"] == 0, report["reimported"]
    assert report["reimport_row_growth"] == {}
    person = Person.objects.get(stage="full")
    assert person.member.status == "full" and Member.objects.filter(name="赵六").count() == 1


def test_plat_03_restore_links_the_member_on_file_only_when_it_joined_at_the_meeting(
    tmp_path, tree
):
    _records(tree)
    member = Person.objects.get(stage="full").member
    export(kind="recruitment", target=tmp_path / "r.xlsx", user=None, unmasked=True)
    _wipe()
    Member.objects.filter(pk=member.pk).update(joined_on=D(2025, 4, 21))

    with pytest.raises(ImportFailed) as failed:
        run_import(tmp_path / "r.xlsx", by=None)

    lines = [error.line() for error in failed.value.errors]
    assert any("发展环节" in line and "入党日期为2025年4月21日" in line for line in lines), lines
    assert Person.objects.count() == 0


def test_plat_03_masked_export_hides_numbers_and_re_imports_unchanged(tmp_path, tree):
    _records(tree)
    officer = tree.users["county_officer"]
    export(kind="recruitment", target=tmp_path / "m.xlsx", user=officer)
    book = load_workbook(tmp_path / "m.xlsx")
    numbers = [row[2] for row in book["发展党员人员"].iter_rows(min_row=2, values_only=True)]
    assert len(numbers) == 3 and all(n.endswith("****") for n in numbers)
    subjects = [row[2] for row in book["培养档案"].iter_rows(min_row=2, values_only=True)]
    assert any(str(s).endswith("****") for s in subjects)

    again = _import(tmp_path / "m.xlsx", by=officer)
    assert sum(c["created"] + c["updated"] for c in again.counts.values()) == 0
    assert again.counts["recruitment_steps"]["unchanged"] == Step.objects.count()


def test_plat_03_export_is_scoped_to_the_user(tmp_path, tree):
    _records(tree)
    export(kind="recruitment_pipeline", target=tmp_path / "b.xlsx", user=tree.users["outsider"])
    book = load_workbook(tmp_path / "b.xlsx")
    assert book.sheetnames == ["发展党员人员", "发展环节", "培养联系人", "入党介绍人"]
    assert all(book[name].max_row == 1 for name in book.sheetnames)


def test_plat_03_export_queries_do_not_grow_with_its_rows(tmp_path, tree):
    _records(tree)

    def queries(name: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            export(kind="recruitment", target=tmp_path / name, user=None, unmasked=True)
        return len(captured)

    few = queries("few.xlsx")
    for n in range(5):
        people.register_applicant(
            org=tree.branch_a,
            name=f"新人{n}",
            id_number=make_id(D(1991, 1, 1 + n)),
            applied_on=D(2024, 6, 1),
            by=None,
        )
    assert queries("many.xlsx") == few
