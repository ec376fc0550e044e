"""The reference matrix (issue 12) for the three cultivations, the targets and the talent
pool (DEV-03 … DEV-07): every member, talent, training class or org inside a write (form
field, API body) is tried with one out of the actor's scope (county CB) and with one that
does not exist. The two answers must be indistinguishable — same status, same body once
the value is replaced by a placeholder — and nothing may be written.

The actor is the branch secretary (admin of CA-T1-B1); for targets, which an org sets for
its children, the county officer (officer of CA). Out-of-scope talents and training
classes get large ids so that replacing the value in a page replaces only the value.
Writes without a reference in their body are listed with an empty tuple, so a new write
fails `test_every_talent_write_is_listed` until it is listed here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

import tests.test_authorization as authorization
from tests.factories import make_member
from xianfeng.recruitment.api import cultivation as api_cultivation
from xianfeng.recruitment.api import talent as api_talent
from xianfeng.recruitment.api import targets as api_targets
from xianfeng.recruitment.domain.cultivation import open_cultivation
from xianfeng.recruitment.domain.talent import register_talent
from xianfeng.recruitment.models import Cultivation, CultivationEntry, TalentEntry, Target
from xianfeng.study import domain as study
from xianfeng.study.models import TrainingClass

pytestmark = pytest.mark.django_db

REF = "{ref}"
MISSING = {"member": "NOPE404", "talent": "987654", "class": "987654", "org": "NOPE404"}
OUT = {"member": "MB1", "talent": "777001", "class": "777002", "org": "CB"}
OFFICER = "county_officer"
FILE = "{file}"  # the in-scope cultivation file of the world


@dataclass(frozen=True)
class Ref:
    via: str  # "web" (form POST) or "api" (JSON body)
    path: str
    field: str
    kind: str  # member | talent | class | org
    data: tuple[tuple[str, Any], ...] = ()
    user: str = "secretary"


def web(path: str, field: str, of: str, user: str = "secretary", /, **data: Any) -> Ref:
    return Ref("web", path, field, of, tuple(data.items()), user)


def api(path: str, field: str, of: str, user: str = "secretary", /, **data: Any) -> Ref:
    return Ref("api", path, field, of, tuple(data.items()), user)


NEW_FILE = "/recruitment/orgs/CA-T1-B1/cultivations/new/"
API_FILES = "/api/recruitment/orgs/CA-T1-B1/cultivations"
OPEN_A = {"track": "talent_to_cadre", "member": "MA5", "started_on": "2025-03-01"}
OPEN_B = {"track": "talent_to_member", "started_on": "2025-03-01"}
ENTRY = {"on": "2025-04-01", "kind": "training", "title": "种植技术培训"}
TARGET = {"year": "2025", "kind": "promoted", "value": "3"}

REFERENCES: dict[str, tuple[Ref, ...]] = {
    "recruitment:cultivation_new": (
        web(NEW_FILE, "member", "member", **{**OPEN_A, "member": REF}),
        web(NEW_FILE, "talent", "talent", **OPEN_B, talent=REF),
        web(NEW_FILE, "pair", "member", **OPEN_A, pair=REF),
    ),
    "recruitment:cultivation_entry": (
        web(
            f"/recruitment/cultivations/{FILE}/entries/",
            "training_class",
            "class",
            **ENTRY,
            training_class=REF,
        ),
    ),
    "recruitment:cultivation_status": (),
    "recruitment:cultivation_pair": (
        web(f"/recruitment/cultivations/{FILE}/pair/", "pair", "member", pair=REF, on="2025-04-01"),
    ),
    "recruitment:targets": (
        web("/recruitment/orgs/CA/targets/", "org", "org", OFFICER, **TARGET, org=REF),
    ),
    "recruitment:talent_new": (),
    "recruitment:talent_edit": (),
    "recruitment:talent_cultivate": (
        web(
            "/recruitment/talent/{talent}/cultivate/",
            "pair",
            "member",
            started_on="2025-03-01",
            pair=REF,
        ),
    ),
    "recruitment:talent_pipeline": (),
    "recruitment:talent_left": (),
    "api:open_cultivation": (
        api(API_FILES, "member", "member", **{**OPEN_A, "member": REF}),
        api(API_FILES, "talent", "talent", **OPEN_B, talent=REF),
        api(API_FILES, "pair", "member", **OPEN_A, pair=REF),
    ),
    "api:add_cultivation_entry": (
        api(
            f"/api/recruitment/cultivations/{FILE}/entries",
            "training_class",
            "class",
            **ENTRY,
            training_class=REF,
        ),
    ),
    "api:set_cultivation_status": (),
    "api:set_cultivation_pair": (
        api(f"/api/recruitment/cultivations/{FILE}/pair", "pair", "member", pair=REF),
    ),
    "api:set_target": (
        api("/api/recruitment/orgs/CA/targets", "org", "org", OFFICER, **TARGET, org=REF),
    ),
    "api:register_talent": (),
    "api:cultivate_talent": (
        api(
            "/api/recruitment/talent/{talent}/cultivate",
            "pair",
            "member",
            started_on="2025-03-01",
            pair=REF,
        ),
    ),
    "api:talent_to_pipeline": (),
    "api:mark_talent_left": (),
}


def talent_writes() -> set[str]:
    """The write pages and endpoints of cultivations, targets and the talent pool."""
    from xianfeng.recruitment import urls
    from xianfeng.recruitment.views import cultivation, talent, targets

    modules = {cultivation.__name__, talent.__name__, targets.__name__}
    ours = {
        f"api:{op.view_func.__name__}"
        for module in (api_cultivation, api_talent, api_targets)
        for view in module.router.path_operations.values()
        for op in view.operations
    }
    ours |= {f"recruitment:{p.name}" for p in urls.urlpatterns if p.callback.__module__ in modules}
    return {
        name
        for name, endpoints in authorization.MATRIX.items()
        if name in ours and any(e.method != "get" for e in endpoints)
    }


def test_every_talent_write_is_listed():
    writes = talent_writes()
    assert writes - set(REFERENCES) == set(), "list the new write's references in REFERENCES"
    assert set(REFERENCES) - writes == set()


@pytest.fixture
def world(tree):
    """MA5 to cultivate and a file of MA1 (CA-T1-B1); a talent and a training class of
    CA-T1-B1 in scope and of CB-T1-B1 out of it (with large ids)."""
    make_member(tree.branch_a, code="MA5")
    day = dt.date(2025, 3, 1)
    found = open_cultivation(
        org=tree.branch_a, track="member_to_talent", member="MA1", started_on=day, by=None
    )
    mine = register_talent(
        org=tree.branch_a, name="郑能手", kind="grower", surveyed_on=day, by=None
    )
    other = register_talent(org=tree.branch_b, name="外县", kind="grower", surveyed_on=day, by=None)
    TalentEntry.objects.filter(pk=other.pk).update(id=int(OUT["talent"]))
    training = study.create_training_class(
        org=tree.branch_b,
        kind="other",
        title="外县培训",
        starts_on=day,
        ends_on=day,
        days=1,
        hours=8,
    )
    TrainingClass.objects.filter(pk=training.pk).update(id=int(OUT["class"]))
    return {"tree": tree, "file": found.pk, "talent": mine.pk}


def _counts() -> dict[str, int]:
    models = (Cultivation, CultivationEntry, TalentEntry, Target)
    return {model.__name__: model.objects.count() for model in models}


_TOKENS = re.compile(
    r'(csrfmiddlewaretoken" value="|X-CSRFToken"\s*:\s*"|nonce="|csrf-token" content=")[^"]*'
)


def _normalized(text: str, value: str) -> str:
    return _TOKENS.sub(r"\1", text).replace(value, REF)


def _answer(client, ref: Ref, value: str, world) -> tuple[int, str]:
    fill = {k: v.replace(REF, value) if isinstance(v, str) else v for k, v in ref.data}
    path = ref.path.replace(FILE, str(world["file"])).replace("{talent}", str(world["talent"]))
    if ref.via == "api":
        response = client.post(path, json.dumps(fill), content_type="application/json")
    else:
        response = client.post(path, fill)
    return response.status_code, response.content.decode()


CASES = [(name, ref) for name, refs in REFERENCES.items() for ref in refs]


@pytest.mark.parametrize(("name", "ref"), CASES, ids=[f"{name}:{ref.field}" for name, ref in CASES])
def test_reference_out_of_scope_reads_like_missing(client_for, world, name, ref):
    client = client_for(world["tree"].users[ref.user])
    before = _counts()
    out, missing = OUT[ref.kind], MISSING[ref.kind]
    status_out, body_out = _answer(client, ref, out, world)
    assert _counts() == before, (name, "wrote with an out-of-scope reference")
    status_missing, body_missing = _answer(client, ref, missing, world)
    assert _counts() == before, (name, "wrote with a missing reference")
    assert status_out == status_missing
    assert status_out not in {200, 201, 302}
    assert _normalized(body_out, out) == _normalized(body_missing, missing)
    if ref.via == "api":
        assert json.loads(body_out)["errors"][ref.field][0].startswith("没有找到")
    else:
        assert "没有找到" in body_out


def test_in_scope_references_are_accepted(client_for, world):
    """The same bodies with references in scope write (so the refusals above are the
    references', not the bodies')."""
    client = client_for(world["tree"].users["secretary"])
    assert client.post(NEW_FILE, OPEN_A).status_code == 302
    body = {**OPEN_B, "talent": str(world["talent"])}
    assert (
        client.post(API_FILES, json.dumps(body), content_type="application/json").status_code == 201
    )
    officer = client_for(world["tree"].users[OFFICER])
    body = {**TARGET, "org": "CA-T1"}
    assert (
        officer.post(
            "/api/recruitment/orgs/CA/targets", json.dumps(body), content_type="application/json"
        ).status_code
        == 200
    )
    assert _counts()["Cultivation"] == 3 and _counts()["Target"] == 1
