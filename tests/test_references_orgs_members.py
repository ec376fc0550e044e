"""The reference matrix (issue 12, Deliver 8) for orgs, members, accounts, compliance,
notices and core: every id or code inside a write (form field, API body, URL query, import
row) is tried as the branch secretary (admin of CA-T1-B1) with a reference out of scope
(county CB) and with one that does not exist. The answers must be indistinguishable —
same status, same body once the value is replaced by a placeholder — and nothing may be
written. Writes without a reference in their body are listed with an empty tuple, so a
new write endpoint fails `test_references_cover_every_write` until it is listed here.

(orglife and study: tests/test_references.py.)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from openpyxl import Workbook

import tests.test_authorization as authorization
from tests.factories import make_id, make_member, make_org, make_user
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.members.domain import receive_transfer, send_transfer
from xianfeng.orgs.domain import add_contact_point, appoint_to_seat
from xianfeng.orgs.models import ContactPoint

pytestmark = pytest.mark.django_db

REF = "{ref}"
MISSING = "NOPE404"


@dataclass(frozen=True)
class Ref:
    """One reference of one write: `{ref}` in `path` or `data` is where it goes."""

    via: str  # "web" (form POST), "api" (JSON body) or "import" (a sheet's row)
    path: str  # URL, or the sheet's name for an import
    field: str
    out: str  # the out-of-scope value; {placeholders} filled from the objects
    data: tuple[tuple[str, str], ...] = ()  # the body (web, api) or header → cell (import)
    missing: str = MISSING
    method: str = "post"


def web(path: str, field: str, out: str, **data: str) -> Ref:
    return Ref("web", path, field, out, tuple(data.items()))


def api(path: str, field: str, out: str, **data: str) -> Ref:
    return Ref("api", path, field, out, tuple(data.items()))


def sheet(name: str, field: str, out: str, row: dict[str, str]) -> Ref:
    return Ref("import", name, field, out, tuple(row.items()))


NEW_ID = "11010519491231002X"
MEMBER_FORM = {
    "name": "新人",
    "code": "NEW1",
    "id_number": NEW_ID,
    "joined_on": "2000-01-01",
    "status": "probationary",
    "ethnicity": "01",
    "category": "in_service",
}
SEAT = {"role": "committee_member", "title": "宣传委员", "started_on": "2025-06-01"}
STAFF = {"name": "", "position": "", "full_time": "1", "started_on": "2025-06-01"}
ACCOUNT = {"username": "newacc", "display_name": "新账号", "role": "viewer"}
MEMBER_ROW = {"姓名": "新人", "身份证号": NEW_ID, "入党日期": "2000-01-01", "党籍状态": "预备党员"}
SEAT_ROW = {"职务": "委员", "任职日期": "2022-01-01"}
POINT_ROW = {"班子所在党组织": "CA-T1-B1", "建立日期": "2024-06-01"}

REFERENCES: dict[str, tuple[Ref, ...]] = {
    # --- core ------------------------------------------------------------------------------
    "set_language": (),
    "data_export": (web("/data/export/members/", "org", "CB-T1-B1", org=REF),),
    "data_export_job": (web("/data/export/members/job/", "org", "CB-T1-B1", org=REF),),
    "data": (  # the import page: references inside rows
        sheet("党员", "所在党组织", "CB-T1-B1", {**MEMBER_ROW, "所在党组织": REF}),
        sheet(
            "党员", "党小组", "CB-T1-B1-G1", {**MEMBER_ROW, "所在党组织": "CA-T1-B1", "党小组": REF}
        ),
        sheet(
            "党组织",
            "上级组织",
            "CB-T1",
            {"组织编码": "NEWO", "组织名称": "新支部", "上级组织": REF, "组织类别": "党支部"},
        ),
        sheet("班子成员", "党组织", "CB-T1-B1", {**SEAT_ROW, "党组织": REF, "党员编号": "MA1"}),
        sheet("班子成员", "党员编号", "MB1", {**SEAT_ROW, "党组织": "CA-T1-B1", "党员编号": REF}),
        sheet(
            "联系点", "联系领导", "MB1", {**POINT_ROW, "联系领导": REF, "联系的党组织": "CA-T1-B1"}
        ),
        sheet(
            "联系点",
            "联系的党组织",
            "CB-T1-B1",
            {**POINT_ROW, "联系领导": "MA1", "联系的党组织": REF},
        ),
        sheet(
            "联系点活动",
            "联系的党组织",
            "CB-T1-B1",
            {"联系领导": "MA1", "联系的党组织": REF, "日期": "2025-06-01"},
        ),
        sheet(
            "党务干部",
            "党员编号",
            "MB1",
            {"党组织": "CA-T1-B1", "党员编号": REF, "专职或兼职": "专职", "到岗日期": "2022-01-01"},
        ),
        sheet(
            "党建活动经费预算",
            "党组织",
            "CB-T1-B1",
            {"党组织": REF, "年度": "2024", "预算金额（元）": "100"},
        ),
    ),
    # --- accounts ------------------------------------------------------------------------
    "accounts:login": (),
    "accounts:logout": (),
    "accounts:password_change": (),
    "accounts:tokens": (),
    "accounts:token_revoke": (),
    "accounts:list": (  # POST opens an account
        web("/accounts/", "org", "CB-T1-B1", **ACCOUNT, org=REF, member=""),
        web("/accounts/", "member", "MB1", **ACCOUNT, org="CA-T1-B1", member=REF),
    ),
    "accounts:bulk_create": (web("/accounts/bulk/?org={ref}", "org", "CB-T1-B1"),),
    "accounts:post_add": (
        web("/accounts/in_account/posts/", "org", "CB-T1-B1", org=REF, role="officer"),
    ),
    "accounts:post_end": (),
    "accounts:link_member": (web("/accounts/in_account/member/", "member", "MB1", member=REF),),
    "accounts:reset_password": (),
    "accounts:set_active": (),
    "accounts:set_identifiers": (),
    "api:create_account": (
        api("/api/accounts", "org", "CB-T1-B1", **ACCOUNT, org=REF),
        api("/api/accounts", "member", "MB1", **ACCOUNT, org="CA-T1-B1", member=REF),
    ),
    "api:add_post": (
        api("/api/accounts/in_account/posts", "org", "CB-T1-B1", org=REF, role="officer"),
    ),
    "api:reset_password": (),
    "api:deactivate": (),
    # --- notices, compliance (the org is in the URL: tested by the path matrix) -----------
    "notices:read": (),
    "notices:read_all": (),
    "api:read_notice": (),
    "api:read_all_notices": (),
    "compliance:check": (),
    "compliance:export": (),
    "compliance:whatif": (),
    "compliance:policy": (),
    "compliance:policy_adopt": (),  # `code` names a shipped policy file, the same for all
    "compliance:policy_detach": (),
    "compliance:preference": (),
    # --- orgs ------------------------------------------------------------------------------
    "orgs:edit": (),
    "orgs:create": (web("/orgs/{ref}/new/", "parent", "CB-T1"),),
    "orgs:seat_add": (
        web("/orgs/CA-T1-B1/leadership/seats/", "member", "MB1", **SEAT, member=REF),
    ),
    "orgs:seat_end": (),
    "orgs:term_add": (),
    "orgs:term_extend": (),
    "orgs:contact_add": (
        web(
            "/orgs/CA-T1-B1/contacts/points/",
            "leader",
            "MB1",
            leader=REF,
            target="CA-T1-B1",
            started_on="2025-06-01",
        ),
        web(
            "/orgs/CA-T1-B1/contacts/points/",
            "target",
            "CB-T1-B1",
            leader="MA1",
            target=REF,
            started_on="2025-06-01",
        ),
    ),
    "orgs:contact_end": (),
    "orgs:visit_add": (
        Ref(
            "web",
            "/orgs/CA-T1-B1/contacts/visits/",
            "contact_point",
            "{contact_out}",
            (("contact_point", REF), ("visited_on", "2025-06-01"), ("kind", "visit")),
            missing="999999",
        ),
    ),
    "orgs:venue_add": (),
    "orgs:venue_edit": (),
    "orgs:venue_close": (),
    "orgs:staff_add": (web("/orgs/CA-T1-B1/staff/", "member", "MB1", **STAFF, member=REF),),
    "orgs:staff_end": (),
    "orgs:budget_set": (),
    "orgs:spending_add": (),
    "api:create_org": (
        api(
            "/api/orgs",
            "parent",
            "CB-T1",
            parent=REF,
            code="NEW1",
            name="新支部",
            kind="branch",
            level="village",
        ),
    ),
    "api:update_org": (),
    "api:appoint_to_seat": (api("/api/orgs/CA-T1-B1/seats", "member", "MB1", **SEAT, member=REF),),
    "api:end_seat": (),
    "api:record_election": (),
    "api:approve_term_extension": (),
    "api:add_contact_point": (
        api(
            "/api/orgs/CA-T1-B1/contact-points",
            "leader",
            "MB1",
            leader=REF,
            target="CA-T1-B1",
            started_on="2024-06-01",
        ),
        # a former seat holder of the branch who has moved to another county
        api(
            "/api/orgs/CA-T1-B1/contact-points",
            "leader",
            "MX1",
            leader=REF,
            target="CA-T1-B1",
            started_on="2024-06-01",
        ),
        api(
            "/api/orgs/CA-T1-B1/contact-points",
            "target",
            "CB-T1-B1",
            leader="MA1",
            target=REF,
            started_on="2024-06-01",
        ),
    ),
    "api:end_contact_point": (),
    "api:record_visit": (
        Ref(
            "api",
            "/api/orgs/CA-T1-B1/visits",
            "contact_point",
            "{contact_out}",
            (("contact_point", REF), ("visited_on", "2025-06-01")),
            missing="999999",
        ),
    ),
    "api:add_venue": (),
    "api:update_venue": (),
    "api:add_staff_post": (
        api("/api/orgs/CA-T1-B1/staff-posts", "member", "MB1", member=REF, started_on="2025-06-01"),
    ),
    "api:end_staff_post": (),
    "api:set_budget": (),
    "api:record_spending": (),
    # --- members ---------------------------------------------------------------------------
    "members:create": (
        web("/members/new/?org={ref}", "org", "CB-T1-B1", **MEMBER_FORM),
        web(
            "/members/new/?org=CA-T1-B1",
            "party_group",
            "CB-T1-B1-G1",
            **MEMBER_FORM,
            party_group=REF,
        ),
    ),
    "members:edit": (
        web(
            "/members/MA1/edit/",
            "party_group",
            "CB-T1-B1-G1",
            name="张三",
            ethnicity="01",
            joined_on="2010-07-01",
            full_on="2011-07-01",
            category="in_service",
            party_group=REF,
        ),
    ),
    "members:status": (),
    # a transfer may go to any branch (the directory lists them): only other orgs are refs
    "members:send_transfer": (
        web("/members/MA1/transfer/", "to_org", "CB-T1", to_org=REF, sent_on="2025-06-01"),
    ),
    "members:transfer_receive": (),
    "members:transfer_reject": (),
    "members:transfer_cancel": (),
    "members:reveal_id": (),
    "api:create_member": (
        api(
            "/api/members",
            "org",
            "CB-T1-B1",
            org=REF,
            code="NEWM",
            name="新党员",
            id_number=NEW_ID,
            joined_on="2000-01-01",
        ),
    ),
    "api:update_member": (),
    "api:change_status": (),
    "api:send_transfer": (
        api("/api/transfers", "member", "MB1", member=REF, to_org="CA-T1-B2", sent_on="2025-06-01"),
        api("/api/transfers", "to_org", "CB-T1", member="MA1", to_org=REF, sent_on="2025-06-01"),
    ),
    "api:receive_transfer": (),
    "api:reject_transfer": (),
    "api:cancel_transfer": (),
}

NAMESPACES = ("orgs", "members", "accounts", "compliance", "notices")
API_MODULES = tuple(f"xianfeng.{app}.api" for app in NAMESPACES)


def _api_writes() -> set[str]:
    import xianfeng.urls  # noqa: F401  (registers the routers)
    from xianfeng.api import api as ninja

    return {
        f"api:{op.view_func.__name__}"
        for _prefix, router in ninja._routers
        for view in router.path_operations.values()
        for op in view.operations
        if op.view_func.__module__ in API_MODULES and set(op.methods) != {"GET"}
    }


def _web_writes() -> set[str]:
    names = set()
    for name, endpoints in authorization.MATRIX.items():
        namespace = name.split(":")[0] if ":" in name else ""
        if namespace in (*NAMESPACES, "") and any(e.writes for e in endpoints):
            names.add(name)
    return names


def test_references_cover_every_write():
    from tests.test_references_members_talents import REFERENCES as TALENTS  # members' own

    listed = set(REFERENCES)
    assert (_web_writes() | _api_writes()) - listed - set(TALENTS) == set(), (
        "list the write in REFERENCES"
    )
    assert listed - set(authorization.MATRIX) == set()


@pytest.fixture
def objects(tree) -> dict[str, Any]:
    """Beside the tree: seats, a contact point and a party group on each side, an account
    in scope, and MX1, a former committee member of CA-T1-B1 now in county CB."""
    day = dt.date(2024, 1, 1)
    appoint_to_seat(org=tree.branch_a, role="secretary", member=tree.member_a, started_on=day)
    appoint_to_seat(org=tree.branch_b, role="secretary", member=tree.member_b, started_on=day)
    out = add_contact_point(
        org=tree.branch_b, leader=tree.member_b, target=tree.branch_b, started_on=day
    )
    ContactPoint.objects.filter(pk=out.pk).update(id=987654)  # an id seen nowhere else
    make_org(tree.branch_b, kind="party_group", code="CB-T1-B1-G1", name="白云第一党小组")
    make_user("in_account", org=tree.branch_a, role="viewer")
    moved = make_member(tree.branch_a, code="MX1", name="赵九")
    appoint_to_seat(org=tree.branch_a, role="committee_member", member=moved, started_on=day)
    transfer = send_transfer(member=moved, to_org=tree.branch_b, sent_on=dt.date(2024, 12, 1))
    receive_transfer(transfer=transfer, received_on=dt.date(2025, 1, 1))
    return {"contact_out": 987654}


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {*NAMESPACES, "core", "orglife", "study"}
    }


_TOKENS = re.compile(
    r'(csrfmiddlewaretoken" value="|X-CSRFToken"\s*:\s*"|nonce="|csrf-token" content=")[^"]*'
)


def _normalized(text: str, value: str) -> str:
    return _TOKENS.sub(r"\1", text).replace(value, REF)


def _xlsx(path, name: str, row: dict[str, str]):
    book = Workbook()
    book.active.title = name
    book.active.append(list(row))
    book.active.append(list(row.values()))
    book.save(path)
    return path


def _answer(client, ref: Ref, value: str, tmp_path, user) -> tuple[Any, str]:
    fill = {key: cell.replace(REF, value) for key, cell in ref.data}
    if ref.via == "import":
        with pytest.raises(ImportFailed) as failed:
            run_import(_xlsx(tmp_path / "r.xlsx", ref.path, fill), by=user)
        return "refused", "\n".join(e.line() for e in failed.value.errors)
    path = ref.path.replace(REF, value)
    if ref.via == "api":
        response = getattr(client, ref.method)(path, fill, content_type="application/json")
    else:
        response = getattr(client, ref.method)(path, fill)
    return response.status_code, response.content.decode()


CASES = [(name, ref) for name, refs in REFERENCES.items() for ref in refs]


@pytest.mark.parametrize(
    ("name", "ref"), CASES, ids=[f"{name}:{ref.field}:{ref.out}" for name, ref in CASES]
)
def test_reference_out_of_scope_reads_like_missing(client_for, tree, objects, tmp_path, name, ref):
    secretary = tree.users["secretary"]
    client = client_for(secretary)
    out = ref.out.format(**objects)
    before = _counts()
    status_out, body_out = _answer(client, ref, out, tmp_path, secretary)
    assert _counts() == before, (name, "wrote with an out-of-scope reference")
    status_missing, body_missing = _answer(client, ref, ref.missing, tmp_path, secretary)
    assert _counts() == before, (name, "wrote with a missing reference")
    assert status_out == status_missing
    assert status_out not in {201, 302}
    assert _normalized(body_out, out) == _normalized(body_missing, ref.missing)


# --- the domain functions themselves (what the CLI `--as` and every caller share) --------


def _domain_calls(tree, objects) -> list[tuple[str, Any, dict[str, Any], str, str]]:
    """(what, domain function, arguments with an out-of-scope object, field, value)."""
    from xianfeng.members import domain as members
    from xianfeng.orgs import domain as orgs

    day = dt.date(2025, 6, 1)
    point = ContactPoint.objects.get(pk=objects["contact_out"])
    return [
        (
            "create_org parent",
            orgs.create_org,
            {
                "parent": tree.town_b,
                "code": "N1",
                "name": "新支部",
                "kind": "branch",
                "level": "village",
            },
            "parent",
            "CB-T1",
        ),
        (
            "seat member",
            orgs.appoint_to_seat,
            {"org": tree.branch_a, "role": "secretary", "member": tree.member_b, "started_on": day},
            "member",
            "MB1",
        ),
        (
            "contact target",
            orgs.add_contact_point,
            {
                "org": tree.branch_a,
                "leader": tree.member_a,
                "target": tree.branch_b,
                "started_on": day,
            },
            "target",
            "CB-T1-B1",
        ),
        (
            "visit contact point",
            orgs.record_visit,
            {"contact_point": point, "visited_on": day},
            "contact_point",
            str(point.pk),
        ),
        (
            "staff member",
            orgs.add_staff_post,
            {"org": tree.branch_a, "member": tree.member_b, "started_on": day},
            "member",
            "MB1",
        ),
        (
            "register org",
            members.register_member,
            {
                "org": tree.branch_b,
                "code": "N1",
                "name": "新人",
                "id_number": make_id(),
                "joined_on": dt.date(2000, 1, 1),
            },
            "org",
            "CB-T1-B1",
        ),
        (
            "transfer member",
            members.send_transfer,
            {"member": tree.member_b, "to_org": tree.branch_a, "sent_on": day},
            "member",
            "MB1",
        ),
        (
            "transfer to_org",
            members.send_transfer,
            {"member": tree.member_a, "to_org": tree.town_b, "sent_on": day},
            "to_org",
            "CB-T1",
        ),
    ]


def test_domain_refuses_out_of_scope_references_like_unknown_ones(tree, objects):
    from django.core.exceptions import ValidationError

    secretary = tree.users["secretary"]
    for what, action, arguments, field, value in _domain_calls(tree, objects):
        before = _counts()
        with pytest.raises(ValidationError) as refused:
            action(by=secretary, **arguments)
        messages = refused.value.message_dict[field]
        assert len(messages) == 1 and messages[0].startswith("没有找到"), what
        assert messages[0].endswith(f"“{value}”"), what
        assert _counts() == before, what
