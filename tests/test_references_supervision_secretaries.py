"""The reference matrix (issue 12) for the secretaries' duties of supervision (TASK-05 …
TASK-07): every member or org code inside a write (form field, API body) is tried with one
out of the actor's scope (county CB) and with one that does not exist. The two answers
must be indistinguishable — same status, same body once the value is replaced by a
placeholder — and nothing may be written.

The actor is the branch secretary (admin of CA-T1-B1), except for admonitions, which only
an org above may record: there the county officer (officer of CA) talks with CA-T1-B1's
secretary. Writes without a reference in their body are listed with an empty tuple, so a
new write fails `test_every_secretaries_write_is_listed` until it is listed here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

import tests.test_authorization as authorization
from xianfeng.orgs.domain import appoint_to_seat
from xianfeng.supervision import urls as supervision_urls
from xianfeng.supervision.api import secretaries as api_module
from xianfeng.supervision.domain import secretaries as domain
from xianfeng.supervision.models import AdjustmentProposal, Admonition, DutyReport, Project
from xianfeng.supervision.views import secretaries as views_module

pytestmark = pytest.mark.django_db

REF = "{ref}"
MISSING = "NOPE404"


@dataclass(frozen=True)
class Ref:
    via: str  # "web" (form POST) or "api" (JSON body)
    path: str
    field: str
    out: str
    data: tuple[tuple[str, Any], ...] = ()
    user: str = "secretary"


def web(path: str, field: str, out: str, user: str = "secretary", **data: Any) -> Ref:
    return Ref("web", path, field, out, tuple(data.items()), user)


def api(path: str, field: str, out: str, user: str = "secretary", **data: Any) -> Ref:
    return Ref("api", path, field, out, tuple(data.items()), user)


PROJECT = {"title": "党建引领", "goal": "建成服务站", "registered_on": "2025-06-01"}
TALK = {"date": "2025-06-01", "talker": "组织委员", "reason": "三会一课落实不到位"}
REPORT = {"year": "2025", "date": "2025-12-20", "summary": "全年抓党建情况"}
RATINGS = {"rating_0": "30", "rating_1": "5", "rating_2": "0", "rating_3": "0"}
OFFICER = "county_officer"

REFERENCES: dict[str, tuple[Ref, ...]] = {
    "supervision:project_create": (
        web(
            "/supervision/orgs/CA-T1-B1/projects/new/", "secretary", "MB1", **PROJECT, secretary=REF
        ),
    ),
    "supervision:project_milestones": (),
    "supervision:project_complete": (),
    "supervision:admonition_create": (
        web(
            "/supervision/orgs/CA-T1-B1/admonitions/new/",
            "member",
            "MB1",
            OFFICER,
            **TALK,
            by_org="CA-T1",
            member=REF,
        ),
        web(
            "/supervision/orgs/CA-T1-B1/admonitions/new/",
            "by_org",
            "CB-T1",
            OFFICER,
            **TALK,
            by_org=REF,
        ),
    ),
    "supervision:proposal_decide": (),
    "supervision:duty_report_create": (
        web(
            "/supervision/orgs/CA-T1-B1/duty-reports/new/",
            "secretary",
            "MB1",
            **REPORT,
            **RATINGS,
            secretary=REF,
        ),
    ),
    "api:register_project": (
        api(
            "/api/supervision/orgs/CA-T1-B1/projects", "secretary", "MB1", **PROJECT, secretary=REF
        ),
    ),
    "api:update_milestones": (),
    "api:complete_project": (),
    "api:record_admonition": (
        api(
            "/api/supervision/orgs/CA-T1-B1/admonitions",
            "member",
            "MB1",
            OFFICER,
            **TALK,
            by_org="CA-T1",
            member=REF,
        ),
        api(
            "/api/supervision/orgs/CA-T1-B1/admonitions",
            "by_org",
            "CB-T1",
            OFFICER,
            **TALK,
            by_org=REF,
        ),
    ),
    "api:decide_proposal": (),
    "api:record_duty_report": (
        api(
            "/api/supervision/orgs/CA-T1-B1/duty-reports",
            "secretary",
            "MB1",
            **REPORT,
            ratings={"好": 30, "较好": 5},
            secretary=REF,
        ),
    ),
}


def secretaries_writes() -> set[str]:
    """The write pages and endpoints of the secretaries' duties in the path matrix."""
    ours = {
        f"api:{op.view_func.__name__}"
        for view in api_module.router.path_operations.values()
        for op in view.operations
    }
    ours |= {
        f"supervision:{p.name}"
        for p in supervision_urls.urlpatterns
        if p.callback.__module__ == views_module.__name__
    }
    return {
        name
        for name, endpoints in authorization.MATRIX.items()
        if name in ours and any(e.method != "get" for e in endpoints)
    }


def test_every_secretaries_write_is_listed():
    writes = secretaries_writes()
    assert writes - set(REFERENCES) == set(), "list the new write's references in REFERENCES"
    assert set(REFERENCES) - writes == set()


@pytest.fixture
def seats(tree):
    day = dt.date(2024, 1, 1)
    appoint_to_seat(org=tree.branch_a, role="secretary", member=tree.member_a, started_on=day)
    appoint_to_seat(org=tree.branch_b, role="secretary", member=tree.member_b, started_on=day)
    return tree


def _counts() -> dict[str, int]:
    models = (Project, Admonition, AdjustmentProposal, DutyReport)
    return {model.__name__: model.objects.count() for model in models}


_TOKENS = re.compile(
    r'(csrfmiddlewaretoken" value="|X-CSRFToken"\s*:\s*"|nonce="|csrf-token" content=")[^"]*'
)


def _normalized(text: str, value: str) -> str:
    return _TOKENS.sub(r"\1", text).replace(value, REF)


def _answer(client, ref: Ref, value: str) -> tuple[int, str]:
    fill = {k: v.replace(REF, value) if isinstance(v, str) else v for k, v in ref.data}
    if ref.via == "api":
        response = client.post(ref.path, json.dumps(fill), content_type="application/json")
    else:
        response = client.post(ref.path, fill)
    return response.status_code, response.content.decode()


CASES = [(name, ref) for name, refs in REFERENCES.items() for ref in refs]


@pytest.mark.parametrize(
    ("name", "ref"), CASES, ids=[f"{name}:{ref.field}:{ref.out}" for name, ref in CASES]
)
def test_reference_out_of_scope_reads_like_missing(client_for, seats, name, ref):
    client = client_for(seats.users[ref.user])
    before = _counts()
    status_out, body_out = _answer(client, ref, ref.out)
    assert _counts() == before, (name, "wrote with an out-of-scope reference")
    status_missing, body_missing = _answer(client, ref, MISSING)
    assert _counts() == before, (name, "wrote with a missing reference")
    assert status_out == status_missing
    assert status_out not in {200, 201, 302}
    assert _normalized(body_out, ref.out) == _normalized(body_missing, MISSING)
    if ref.via == "api":
        assert json.loads(body_out)["errors"][ref.field][0].startswith("没有找到")
    else:
        assert "没有找到" in body_out


def test_in_scope_references_are_accepted(client_for, seats):
    """The same bodies with references in scope write (the matrix above tests refusals
    that would otherwise pass for any reason)."""
    secretary = client_for(seats.users["secretary"])
    body = {**PROJECT, "secretary": "MA1"}
    assert secretary.post("/supervision/orgs/CA-T1-B1/projects/new/", body).status_code == 302
    body = {**REPORT, **RATINGS, "secretary": "MA1"}
    assert secretary.post("/supervision/orgs/CA-T1-B1/duty-reports/new/", body).status_code == 302
    officer = client_for(seats.users[OFFICER])
    body = {**TALK, "by_org": "CA-T1", "member": "MA1"}
    path = "/api/supervision/orgs/CA-T1-B1/admonitions"
    assert officer.post(path, body, content_type="application/json").status_code == 201
    assert _counts() == {"Project": 1, "Admonition": 1, "AdjustmentProposal": 0, "DutyReport": 1}


# --- the domain functions themselves -----------------------------------------------------


def test_domain_refuses_out_of_scope_references_like_unknown_ones(seats):
    from django.core.exceptions import ValidationError

    tree = seats
    day = dt.date(2025, 6, 1)
    secretary, officer = tree.users["secretary"], tree.users[OFFICER]
    calls = [
        (
            domain.register_project,
            tree.branch_b,
            secretary,
            {"title": "t", "goal": "g"},
            "org",
            "CB-T1-B1",
        ),
        (
            domain.register_project,
            tree.branch_a,
            secretary,
            {"title": "t", "goal": "g", "secretary": "MB1", "registered_on": day},
            "secretary",
            "MB1",
        ),
        (
            domain.record_admonition,
            tree.branch_b,
            officer,
            {"date": day, "by_org": "CB-T1", "talker": "t", "reason": "r"},
            "org",
            "CB-T1-B1",
        ),
        (
            domain.record_admonition,
            tree.branch_a,
            officer,
            {"date": day, "by_org": "CB-T1", "talker": "t", "reason": "r"},
            "by_org",
            "CB-T1",
        ),
        (
            domain.record_admonition,
            tree.branch_a,
            officer,
            {"date": day, "by_org": "CA", "talker": "t", "reason": "r", "member": "MB1"},
            "member",
            "MB1",
        ),
        (
            domain.record_duty_report,
            tree.branch_b,
            secretary,
            {"year": 2025, "date": day, "summary": "s", "ratings": {"好": 1}},
            "org",
            "CB-T1-B1",
        ),
        (
            domain.record_duty_report,
            tree.branch_a,
            secretary,
            {"year": 2025, "date": day, "summary": "s", "ratings": {"好": 1}, "secretary": "MB1"},
            "secretary",
            "MB1",
        ),
    ]
    for action, org, user, arguments, field, value in calls:
        before = _counts()
        with pytest.raises(ValidationError) as refused:
            action(org, by=user, **arguments)
        messages = refused.value.message_dict[field]
        assert len(messages) == 1 and messages[0].startswith("没有找到"), (action, field)
        assert messages[0].endswith(f"“{value}”"), (action, field)
        assert _counts() == before
