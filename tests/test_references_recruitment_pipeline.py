"""The reference matrix (issue 12) for the recruitment pipeline (DEV-01, DEV-02): every
id or code inside a write's body — a talent pool entry, a deciding committee, a mentor
or introducer, a transfer's org, a mentor to end — is tried with one out of the actor's
scope (county CB) and with one that does not exist; the answers read alike and nothing is
written. The person and the step are in the URL (the path matrix in
tests/test_authorization.py tries those); writes without a reference in their body are
listed with an empty tuple, so a new pipeline write fails
`test_recruitment_pipeline_references_name_known_writes` until it is listed here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import make_id
from tests.recruitment.pipeline_helpers import make_activist, make_person
from tests.test_authorization import MATRIX
from xianfeng.recruitment.models import Introducer, Mentor, Person, Step, StepFile, TalentEntry
from xianfeng.study.domain import create_training_class
from xianfeng.study.models import TrainingClass

pytestmark = pytest.mark.django_db
D = dt.date
REF = "{ref}"
MISSING = "987654"


@dataclass(frozen=True)
class Ref:
    """One reference of one write: `{ref}` in `data` is where it goes; `out` names the
    out-of-scope value (a code, or a key of the world for an id); `path` may name the
    world's people ({activist}, {candidate})."""

    path: str
    field: str
    out: str
    data: tuple[tuple[str, Any], ...] = ()
    user: str = "secretary"

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


APPLICANT = (("name", "周新"), ("id_number", make_id(D(1998, 4, 1))), ("applied_on", "2025-03-01"))
ON = ("on", "2025-06-01")
PAGE = "/recruitment/people/{activist}/"
API = "/api/recruitment/people/{activist}/"
CANDIDATE = "/recruitment/people/{candidate}/introducers/"
API_CANDIDATE = "/api/recruitment/people/{candidate}/introducers"

REFERENCES: dict[str, tuple[Ref, ...]] = {
    "recruitment:person_new": (
        Ref("/recruitment/orgs/CA-T1-B1/new/", "talent", "talent", (*APPLICANT, ("talent", REF))),
    ),
    "recruitment:step_new": (
        Ref(
            PAGE + "steps/new/",
            "org",
            "CB-T1",
            (("kind", "activist_filed"), ON, ("org", REF)),
            "county_officer",
        ),
        Ref(
            "/recruitment/people/{candidate}/steps/new/",
            "training_class",
            "training",
            (("kind", "short_training"), ON, ("training_class", REF)),
        ),
    ),
    "recruitment:mentors": (
        Ref(PAGE + "mentors/", "member", "MB1", (("member", REF), ON)),
        Ref(PAGE + "mentors/", "mentor", "mentor", (("mentor", REF), ("ended_on", "2025-06-01"))),
    ),
    "recruitment:introducers": (
        Ref(CANDIDATE, "first", "MB1", (("first", REF), ("second", "MA1"), ON)),
        Ref(CANDIDATE, "second", "MB1", (("first", "MA1"), ("second", REF), ON)),
    ),
    "recruitment:transfer": (Ref(PAGE + "transfer/", "to_org", "CB-T1-B1", (("to_org", REF), ON)),),
    "recruitment:end": (),
    "recruitment:step_files": (),
    "api:create_applicant": (
        Ref(
            "/api/recruitment/orgs/CA-T1-B1/people",
            "talent",
            "talent",
            (*APPLICANT, ("talent", REF)),
        ),
    ),
    "api:record_step": (
        Ref(
            "/api/recruitment/people/{candidate}/steps",
            "training_class",
            "training",
            (("kind", "short_training"), ON, ("training_class", REF)),
        ),
        Ref(
            API + "steps",
            "org",
            "CB-T1",
            (("kind", "activist_filed"), ON, ("org", REF)),
            "county_officer",
        ),
    ),
    "api:assign_mentor": (Ref(API + "mentors", "member", "MB1", (("member", REF), ON)),),
    "api:end_mentor": (),  # the mentor is in the URL: tried below
    "api:choose_introducers": (
        Ref(API_CANDIDATE, "first", "MB1", (("first", REF), ("second", "MA1"), ON)),
        Ref(API_CANDIDATE, "second", "MB1", (("first", "MA1"), ("second", REF), ON)),
    ),
}


def test_recruitment_pipeline_references_name_known_writes():
    """Every write listed here is in the path matrix, and every pipeline write of the
    path matrix is listed here (tests/test_references.py checks the rest)."""
    from tests.test_references_recruitment_talent import REFERENCES as TALENT  # D's writes

    writes = {
        name
        for name, endpoints in MATRIX.items()
        if any(e.method != "get" for e in endpoints)
        and (name.startswith("recruitment:") or name.removeprefix("api:") in API_NAMES)
        and name not in TALENT
    }
    assert set(REFERENCES) - set(MATRIX) == set()
    assert writes <= set(REFERENCES)


API_NAMES = {
    "create_applicant",
    "record_step",
    "assign_mentor",
    "end_mentor",
    "choose_introducers",
}


@pytest.fixture
def world(tree):
    """An activist and an admission candidate of CA-T1-B1; out of scope (county CB) a
    talent pool entry and an activist of CB-T1-B1 with a mentor."""
    activist = make_activist(tree.branch_a, mentor=tree.member_a)
    candidate = make_person(
        tree.branch_a, stage="admission_candidate", candidate_on=D(2024, 3, 5), name="钱小红"
    )
    # ids of their own, so that the value replaced in the answers is found nowhere else
    talent = TalentEntry.objects.create(
        pk=876501, org=tree.branch_b, name="孙能人", kind="grower", surveyed_on=D(2025, 1, 5)
    )
    outside = make_activist(tree.branch_b, name="李外人")
    mentor = Mentor.objects.create(
        pk=876502, person=outside, member=tree.member_b, started_on=D(2023, 3, 1)
    )
    training = create_training_class(
        org=tree.branch_b,
        kind="other",
        title="发展对象培训班",
        starts_on=D(2025, 5, 6),
        ends_on=D(2025, 5, 8),
        days=3,
        hours=24,
    )
    TrainingClass.objects.filter(pk=training.pk).update(id=876503)
    return {
        "activist": activist.pk,
        "candidate": candidate.pk,
        "training": "876503",
        "talent": str(talent.pk),
        "mentor": str(mentor.pk),
    }


def _snapshot() -> list[list[dict]]:
    models = [Person, Step, StepFile, Mentor, Introducer, TalentEntry, TrainingClass]
    return [list(model.objects.order_by("pk").values()) for model in models]


_TOKENS = re.compile(r'(csrfmiddlewaretoken" value="|nonce="|csrf-token" content=")[^"]*')


def _answer(client, ref: Ref, world: dict[str, Any], value: str) -> tuple[int, str]:
    path = ref.path.format(**world)
    data = {key: cell.replace(REF, value) for key, cell in ref.data}
    if ref.api:
        if ref.field in IDS:
            data[ref.field] = int(value)
        response = client.post(path, json.dumps(data), content_type="application/json")
        text = json.dumps(response.json(), ensure_ascii=False)
    else:
        response = client.post(path, data)
        text = _TOKENS.sub(r"\1", response.content.decode())
    return response.status_code, text.replace(value, REF)


IDS = {"talent", "training_class"}  # ids (numbers) in the API's bodies
CASES = [(name, ref) for name, refs in REFERENCES.items() for ref in refs]


@pytest.mark.parametrize(
    ("name", "ref"), CASES, ids=[f"{name}:{ref.field}:{ref.out}" for name, ref in CASES]
)
def test_dev_01_pipeline_reference_out_of_scope_reads_like_missing(
    client_for, tree, world, name, ref
):
    client = client_for(tree.users[ref.user])
    out = world.get(ref.out, ref.out)
    before = _snapshot()
    status_out, body_out = _answer(client, ref, world, out)
    status_missing, body_missing = _answer(client, ref, world, MISSING)
    assert _snapshot() == before, (name, "wrote with a bad reference")
    assert status_out == status_missing == (422 if ref.api else 400), (status_out, body_out)
    assert body_out == body_missing


def test_dev_02_api_end_mentor_of_someone_else_reads_like_missing(client_for, tree, world):
    client = client_for(tree.users["secretary"])
    answers = []
    for mentor in (world["mentor"], MISSING):
        path = f"/api/recruitment/people/{world['activist']}/mentors/{mentor}/end"
        response = client.post(
            path, json.dumps({"on": "2025-06-01"}), content_type="application/json"
        )
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1] and answers[0][0] == 404
    assert Mentor.objects.filter(ended_on__isnull=False).count() == 0
