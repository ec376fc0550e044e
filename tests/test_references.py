"""The reference matrix (issue 12): every reference inside a write — a form field, an API
body — is tried with an object out of the actor's scope and with one that does not exist.

The two answers must be indistinguishable (same status, same body once the value itself is
replaced by a placeholder) and nothing may be written: a write is no oracle for what
exists elsewhere. The actor is the branch secretary (admin of CA-T1-B1); the out-of-scope
objects lie in county CB (member MB1 of CB-T1-B1, a material of CB-T1, a course of
CB-T1-B1). Attendance is also tried with a member in the actor's scope but off the roster
(MA2 of the sibling branch, as the town's admin).

`REFERENCES` lists, per URL name of the path matrix (tests/test_authorization.py), the
reference fields of its writes; an endpoint without references inside its body is listed
with none. The writes of the other apps are listed and tried in
tests/test_references_orgs_members.py (`COVERED_ELSEWHERE`). A new write endpoint fails
`test_every_write_endpoint_is_listed` until it is listed in one or the other.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

import tests.test_references_dues as dues
import tests.test_references_members_talents as members_talents
import tests.test_references_orgs_members as other_apps
import tests.test_references_recruitment_pipeline as recruitment_pipeline
import tests.test_references_recruitment_talent as recruitment_talent
import tests.test_references_supervision as supervision
import tests.test_references_supervision_findings as supervision_findings
import tests.test_references_supervision_pages as supervision_pages
import tests.test_references_supervision_secretaries as secretaries
from tests.factories import make_user
from tests.test_authorization import MATRIX
from xianfeng.orglife import domain as life
from xianfeng.orglife.models import (
    Attendance,
    Exemption,
    LeaveRequest,
    LessonMaterial,
    Meeting,
)
from xianfeng.study import domain as study
from xianfeng.study.models import (
    Course,
    Enrollment,
    MustLearnItem,
    MustLearnList,
    PlanItem,
    StudyPlan,
    StudyRecord,
    TrainingClass,
)
from xianfeng.supervision.models import Inspection, InspectionNotice

pytestmark = pytest.mark.django_db
D = dt.date


@dataclass(frozen=True)
class Ref:
    """One reference field of one write: `path` with {placeholders} of the world, the
    rest of a valid body in `data`, the kind of object referred to and how the body
    carries it ("one" value, a "list" of them, or a "map" {reference: status})."""

    path: str
    field: str
    kind: str  # member | material | course | org | inspection
    data: tuple[tuple[str, Any], ...] = ()
    shape: str = "one"

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


MEETING_FORM = (
    ("kind", "theme_day"),
    ("status", "held"),
    ("held_on", "2025-06-05"),
    ("topic", "主题党日"),
)
MEETING_EDIT = (("kind", "theme_day"), ("held_on", "2025-06-05"), ("topic", "主题党日"))
MEETING_API = (("kind", "theme_day"), ("topic", "主题党日"), ("held_on", "2025-06-05"))
NEW_MEETING = "/orglife/{org}/meetings/new/"
EDIT_MEETING = "/orglife/meetings/{meeting}/edit/"
API_MEETINGS = "/api/orglife/orgs/{org}/meetings"
CLASS_API = (
    ("kind", "rotation"),
    ("title", "集中轮训"),
    ("starts_on", "2025-05-06"),
    ("ends_on", "2025-05-06"),
    ("days", "1"),
    ("hours", "8"),
)
NEW_NOTICE = "/supervision/orgs/{org}/notices/new/"
NOTICE_FORM = (
    ("number", "督〔2025〕9号"),
    ("date", "2025-07-10"),
    ("title", "督查通报"),
    ("body", "通报如下"),
)
RECORD_API = (("source", "imported"), ("studied_on", "2025-04-01"), ("hours", "3"))

REFERENCES: dict[str, tuple[Ref, ...]] = {
    # --- organizational life ---------------------------------------------------------
    "orglife:meeting_create": (
        Ref(NEW_MEETING, "host", "member", MEETING_FORM),
        Ref(NEW_MEETING, "recorder", "member", MEETING_FORM),
        Ref(NEW_MEETING, "lecturer", "member", MEETING_FORM),
        Ref(NEW_MEETING, "material", "material", MEETING_FORM),
    ),
    "orglife:meeting_edit": (
        Ref(EDIT_MEETING, "host", "member", MEETING_EDIT),
        Ref(EDIT_MEETING, "recorder", "member", MEETING_EDIT),
        Ref(EDIT_MEETING, "lecturer", "member", MEETING_EDIT),
        Ref(EDIT_MEETING, "material", "material", MEETING_EDIT),
    ),
    "orglife:attendance": (
        Ref(
            "/orglife/meetings/{meeting}/attendance/", "member", "member", (("status", "present"),)
        ),
    ),
    "orglife:exemptions": (
        Ref(
            "/orglife/{org}/exemptions/",
            "member",
            "member",
            (("kind", "theme_day"), ("reason", "年老体弱"), ("starts_on", "2025-01-01")),
        ),
    ),
    "orglife:meeting_hold": (),
    "orglife:meeting_cancel": (),
    "orglife:attachment_add": (),
    "orglife:leave_ask": (),  # the member is the account's own
    "orglife:leave_decide": (),
    "orglife:exemption_decide": (),
    "orglife:materials": (),
    "orglife:affairs": (),
    "orglife:affairs_delete": (),
    "orglife:plan_generate": (),
    "api:create_meeting": (
        Ref(API_MEETINGS, "host", "member", MEETING_API),
        Ref(API_MEETINGS, "recorder", "member", MEETING_API),
        Ref(API_MEETINGS, "lecturer", "member", MEETING_API),
        Ref(API_MEETINGS, "material", "material", MEETING_API),
        Ref(API_MEETINGS, "attendance", "member", MEETING_API, shape="map"),
    ),
    "api:set_meeting_attendance": (
        Ref(
            "/api/orglife/meetings/{meeting}/attendance",
            "member",
            "member",
            (("status", "present"),),
        ),
    ),
    "api:ask_meeting_leave": (),
    "api:decide_meeting_leave": (),
    "api:create_affairs_record": (),
    "api:publish_lesson_material": (),
    # --- study -------------------------------------------------------------------------
    "study:record_add": (
        Ref(
            "/study/members/MA1/records/",
            "course",
            "course",
            (("source", "online"), ("studied_on", "2025-04-01")),
        ),
    ),
    "study:plan_item_add": (
        Ref(
            "/study/plans/{plan}/items/",
            "course",
            "course",
            (("period", "2025-Q2"), ("title", "学习党章")),
        ),
    ),
    "study:class_enroll": (
        Ref("/study/classes/{training}/enroll/", "members", "member", shape="list"),
    ),
    "study:class_attendance": (
        Ref(
            "/study/classes/{training}/attendance/",
            "member",
            "member",
            (("status", "attended"),),
        ),
    ),
    "study:must_learn": (
        Ref(
            "/study/orgs/{org}/must-learn/",
            "courses",
            "course",
            (("year", "2025"), ("published_on", "2025-03-01")),
            shape="list",
        ),
    ),
    "study:personal_plan_create": (),  # the member is the page's own (404 out of scope)
    "study:record_decide": (),
    "study:course_create": (),
    "study:course_edit": (),
    "study:plan_item_done": (),
    "study:org_plan_create": (),
    "study:class_create": (),
    "api:create_study_record": (
        Ref(
            "/api/study/orgs/{org}/records",
            "member",
            "member",
            (*RECORD_API, ("title", "党校培训")),
        ),
        Ref(
            "/api/study/orgs/{org}/records",
            "course",
            "course",
            (("member", "MA1"), ("source", "online"), ("studied_on", "2025-04-01")),
        ),
    ),
    "api:create_training_class": (
        Ref("/api/study/orgs/{org}/classes", "members", "member", CLASS_API, shape="list"),
    ),
    "api:record_class_attendance": (
        Ref("/api/study/classes/{training}/attendance", "attended", "member", shape="list"),
        Ref("/api/study/classes/{training}/attendance", "absent", "member", shape="list"),
    ),
    "api:create_course": (),
    # --- supervision: duty lists, rhythm, inspections, notices (TASK-03, TASK-04) ---------
    "supervision:notice_create": (
        Ref(NEW_NOTICE, "recipients", "org", NOTICE_FORM),
        Ref(NEW_NOTICE, "inspection", "inspection", (*NOTICE_FORM, ("recipients", "CA-T1-B1"))),
    ),
    "supervision:duty_template": (),
    "supervision:duty_item_add": (),
    "supervision:duty_publish": (),
    "supervision:duty_item_remove": (),
    "supervision:calendar_generate": (),
    "supervision:calendar_done": (),
    "supervision:progress_submit": (),
    "supervision:inspection_create": (),
    "supervision:inspection_target": (),
    "supervision:inspection_problem": (),  # the org is the target's own
    "supervision:notice_publish": (),
}

# Writes of the other apps (orgs, members, accounts, compliance, notices, core): their
# references are tried in tests/test_references_orgs_members.py, listed in its table;
# supervision's: its API and import sheets in tests/test_references_supervision.py, its
# findings → items in tests/test_references_supervision_findings.py, its item pages in
# tests/test_references_supervision_pages.py, the secretaries' duties in
# tests/test_references_supervision_secretaries.py.
COVERED_ELSEWHERE = (
    set(other_apps.REFERENCES)
    | set(supervision.REFERENCES)
    | set(supervision_findings.REFERENCES)
    | set(supervision_pages.REFERENCES)
    | set(secretaries.REFERENCES)
    | set(recruitment_talent.REFERENCES)
    | set(members_talents.REFERENCES)
    | set(recruitment_pipeline.REFERENCES)
    | set(dues.REFERENCES)
)

WRITES = {name for name, endpoints in MATRIX.items() if any(e.method != "get" for e in endpoints)}
MISSING = {"member": "NOSUCH9", "material": 987654, "course": 987654}  # API (codes, ids)
MISSING_ID = 987654  # web forms name members by id


def test_every_write_endpoint_is_listed():
    unlisted = WRITES - set(REFERENCES) - COVERED_ELSEWHERE
    assert unlisted == set(), "list the new write endpoint's references in REFERENCES"
    assert set(REFERENCES) - WRITES == set()
    assert set(REFERENCES) & COVERED_ELSEWHERE == set()
    ours = {n for n in WRITES if n.split(":")[0] in {"orglife", "study"}}
    assert ours <= set(REFERENCES), "orglife and study writes are tried here"


@pytest.fixture
def world(tree):
    """A held meeting, a training class and an org plan of CA-T1-B1; a material, a
    course and member MB1 out of the secretary's scope (county CB)."""
    held = life.record_meeting(
        org=tree.branch_a, kind="theme_day", topic="主题党日", held_on=D(2025, 6, 5), attendance={}
    )
    day = D(2025, 3, 1)
    training = study.create_training_class(
        org=tree.branch_a, kind="other", title="培训班", starts_on=day, ends_on=day, days=1, hours=8
    )
    study.enroll_members(training, members=[tree.member_a])
    plan = study.create_study_plan(
        kind="org", org=tree.branch_a, year=2025, title="学习计划", adopted_on=D(2025, 1, 10)
    )
    material = life.publish_material(org=tree.town_b, month="2025-06", title="外县教材")
    course = study.create_course(
        org=tree.branch_b, title="外县课程", kind="lecture", hours=2, published_on=day
    )
    inspection = Inspection.objects.create(
        org=tree.town_b, kind="half_year", period="2025-H1", title="外县督查", date=D(2025, 7, 1)
    )
    places = {
        "org": "CA-T1-B1",
        "meeting": held.pk,
        "training": training.pk,
        "plan": plan.pk,
    }
    out = {
        "web": {
            "member": tree.member_b.pk,
            "material": material.pk,
            "course": course.pk,
            "org": "CB-T1-B1",
            "inspection": inspection.pk,
        },
        "api": {"member": "MB1", "material": material.pk, "course": course.pk},
    }
    return {"places": places, "out": out, "tree": tree}


def snapshot() -> list[list[dict]]:
    """Every row of the tables a write of orglife or study could touch."""
    models = [
        Meeting,
        Attendance,
        Exemption,
        LeaveRequest,
        LessonMaterial,
        StudyRecord,
        Enrollment,
        PlanItem,
        StudyPlan,
        MustLearnList,
        MustLearnItem,
        TrainingClass,
        Course,
        InspectionNotice,
        InspectionNotice.recipients.through,
    ]
    return [list(model.objects.order_by("pk").values()) for model in models]


TOKEN = re.compile(r"[A-Za-z0-9]{64}|nonce-[^'\" ]+|nonce=\"[^\"]*\"")


def _normalized(body: str, values: list[object]) -> str:
    """The body with CSRF tokens and CSP nonces dropped and every tried value replaced
    by a placeholder (the longer first, so that one never cuts through another)."""
    body = TOKEN.sub("<TOKEN>", body)
    for value in sorted({str(v) for v in values}, key=len, reverse=True):
        body = body.replace(value, "<REF>")
    return body


def _body(ref: Ref, value: object) -> dict[str, Any]:
    shaped: Any = {"one": value, "list": [value], "map": {value: "present"}}[ref.shape]
    if not ref.api and ref.shape == "map":
        raise AssertionError("a web form carries no map")
    return {**dict(ref.data), ref.field: shaped}


def _send(client, ref: Ref, places: dict, value: object):
    path = ref.path.format(**places)
    body = _body(ref, value)
    if ref.api:
        return client.post(path, json.dumps(body), content_type="application/json")
    return client.post(path, body)


def _try(client, ref: Ref, places: dict, out: object, missing: object) -> None:
    before = snapshot()
    answers = [_send(client, ref, places, value) for value in (out, missing)]
    assert snapshot() == before, f"{ref.path} {ref.field}: something was written"
    codes = [a.status_code for a in answers]
    assert codes[0] == codes[1], (ref.path, ref.field, codes)
    assert codes[0] in {200, 400, 422}, (ref.path, ref.field, codes)
    bodies = [_normalized(a.content.decode(), [out, missing]) for a in answers]
    assert bodies[0] == bodies[1], (ref.path, ref.field)


CASES = [(name, ref) for name, refs in REFERENCES.items() for ref in refs]
IDS = [f"{name}:{ref.field}" for name, ref in CASES]


@pytest.mark.parametrize(("name", "ref"), CASES, ids=IDS)
def test_reference_out_of_scope_reads_as_missing(client_for, world, name, ref):
    client = client_for(world["tree"].users["secretary"])
    side = "api" if ref.api else "web"
    out = world["out"][side][ref.kind]
    missing = MISSING[ref.kind] if ref.api else MISSING_ID
    _try(client, ref, world["places"], out, missing)


OFF_ROSTER = [
    ("orglife:attendance", REFERENCES["orglife:attendance"][0]),
    ("api:set_meeting_attendance", REFERENCES["api:set_meeting_attendance"][0]),
    ("api:create_meeting", REFERENCES["api:create_meeting"][4]),
    ("study:class_enroll", REFERENCES["study:class_enroll"][0]),
    ("api:create_training_class", REFERENCES["api:create_training_class"][0]),
]


@pytest.mark.parametrize(("name", "ref"), OFF_ROSTER, ids=[n for n, _r in OFF_ROSTER])
def test_reference_in_scope_but_off_the_roster_reads_as_missing(client_for, world, name, ref):
    """MA2 of the sibling branch is in the town admin's scope but neither on the roster of
    CA-T1-B1's meeting nor a member of its subtree (for its classes)."""
    tree = world["tree"]
    town_admin = make_user("town_admin", org=tree.town_a, role="admin")
    client = client_for(town_admin)
    out = "MA2" if ref.api else tree.member_a2.pk
    missing = MISSING["member"] if ref.api else MISSING_ID
    _try(client, ref, world["places"], out, missing)


# --- import rows: the same references in a workbook -----------------------------------------

MEETING_HEAD = ["会议编号", "党组织", "类型", "召开日期", "主题", "主持人", "授课人"]
LESSON = ["1", "CA-T1-B1", "党课", "2025-06-05", "学习党章"]
ATTENDANCE_HEAD = ["会议编号", "党员编号", "出勤"]
STUDY_HEAD = ["身份证号", "学习日期", "课程", "学时"]
IMPORTS = {
    "host": lambda v: {"组织生活": [MEETING_HEAD, [*LESSON, v, ""]]},
    "lecturer": lambda v: {"组织生活": [MEETING_HEAD, [*LESSON, "", v]]},
    "attendance": lambda v: {
        "组织生活": [MEETING_HEAD, [*LESSON, "", ""]],
        "出勤": [ATTENDANCE_HEAD, ["1", v, "出席"]],
    },
    "study record": lambda v: {"平台外学习": [STUDY_HEAD, [v, "2025-04-01", "党校培训", 2]]},
}


def _import_answer(tmp_path, user, sheets) -> list[tuple]:
    from tests.core.test_importing import xlsx
    from xianfeng.core.importing import ImportFailed, run_import

    path = xlsx(tmp_path / f"{len(list(tmp_path.iterdir()))}.xlsx", sheets)
    with pytest.raises(ImportFailed) as failed:
        run_import(path, by=user)
    return [(e.sheet, e.row, e.column, e.message) for e in failed.value.errors]


@pytest.mark.parametrize(
    ("case", "user", "out"),
    [(case, "secretary", "MB1") for case in IMPORTS] + [("attendance", "town_admin", "MA2")],
)
def test_import_reference_out_of_scope_reads_as_missing(tmp_path, world, case, user, out):
    tree = world["tree"]
    actor = make_user(user, org=tree.town_a) if user == "town_admin" else tree.users[user]
    before = snapshot()
    answers = [
        [(*e[:3], e[3].replace(value, "<REF>")) for e in _import_answer(tmp_path, actor, sheets)]
        for value, sheets in ((out, IMPORTS[case](out)), ("NOSUCH9", IMPORTS[case]("NOSUCH9")))
    ]
    assert answers[0] == answers[1]
    assert snapshot() == before
