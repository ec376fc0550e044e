"""The authorization matrix (PLAT-01): every page and endpoint × kind of user × an object
inside and outside the user's scope × read and write.

Objects "in" lie in branch CA-T1-B1 (inside the scope of the branch secretary, an admin,
and of the county viewer); objects "out" lie in county CB (outside both). Out of scope is
always 404, never 403, so that nothing reveals what exists elsewhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from xianfeng.accounts.domain import create_api_token
from xianfeng.core.models import Job
from xianfeng.members.domain import send_transfer
from xianfeng.orgs.domain import appoint_to_seat

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    path: str  # with {placeholders} filled from the objects below
    method: str = "get"  # "get" reads, anything else writes
    public: bool = False  # reachable without login (login page, OpenAPI)
    scoped: bool = True  # False: no object of the scope in the path
    data: tuple[tuple[str, str], ...] = ()  # API body, {placeholders} filled like the path
    form: bool = False  # a GET that shows a write form: needs write rights
    identifiers: bool = False  # needs the right to see full ID numbers as well

    @property
    def writes(self) -> bool:
        return self.method != "get" or self.form


P = Endpoint
MATRIX: dict[str, list[Endpoint]] = {
    "home": [P("/", scoped=False)],
    "job": [P("/jobs/{job}/")],
    "job_errors": [],  # a job's error workbook: tested in tests/core/test_import_pages.py
    "data": [P("/data/", scoped=False)],
    "set_language": [P("/i18n/setlang/", "post", public=True, scoped=False)],
    "data_template": [P("/data/template.xlsx", scoped=False)],
    "data_export": [P("/data/export/members/", "post", scoped=False)],
    "accounts:login": [P("/accounts/login/", public=True, scoped=False)],
    "accounts:logout": [P("/accounts/logout/", "post", public=True, scoped=False)],
    "accounts:password_change": [P("/accounts/password/", scoped=False)],
    "accounts:tokens": [P("/accounts/tokens/", scoped=False)],
    "accounts:token_revoke": [P("/accounts/tokens/{token}/revoke/", "post")],
    "accounts:bulk_create": [
        P("/accounts/bulk/?org={org}", form=True),
        P("/accounts/bulk/?org={org}", "post"),
    ],
    "accounts:list": [P("/accounts/", scoped=False)],
    "accounts:detail": [P("/accounts/{account}/")],
    "accounts:post_add": [P("/accounts/{account}/posts/", "post")],
    "accounts:post_end": [P("/accounts/{account}/posts/{post}/end/", "post")],
    "accounts:link_member": [P("/accounts/{account}/member/", "post")],
    "accounts:reset_password": [P("/accounts/{account}/reset-password/", "post")],
    "accounts:set_active": [P("/accounts/{account}/active/", "post")],
    "accounts:set_identifiers": [P("/accounts/{account}/identifiers/", "post")],
    "orgs:tree": [P("/orgs/", scoped=False)],
    "orgs:directory": [P("/orgs/directory/?q=村", scoped=False)],
    "orgs:detail": [P("/orgs/{org}/")],
    "orgs:children": [P("/orgs/{town}/children/")],
    "orgs:edit": [P("/orgs/{org}/edit/", form=True), P("/orgs/{org}/edit/", "post")],
    "orgs:create": [P("/orgs/{org}/new/", form=True), P("/orgs/{org}/new/", "post")],
    "orgs:leadership": [P("/orgs/{org}/leadership/")],
    "orgs:seat_add": [P("/orgs/{org}/leadership/seats/", "post")],
    "orgs:seat_end": [P("/orgs/{org}/leadership/seats/{seat}/end/", "post")],
    "orgs:term_add": [P("/orgs/{org}/leadership/terms/", "post")],
    "members:list": [P("/members/", scoped=False)],
    "members:create": [
        P("/members/new/?org={org}", form=True),
        P("/members/new/?org={org}", "post"),
    ],
    "members:me": [P("/members/me/", scoped=False)],
    "members:transfers": [P("/members/transfers/", scoped=False)],
    "members:transfer_detail": [P("/members/transfers/{transfer}/")],
    "members:transfer_receive": [P("/members/transfers/{transfer_in}/receive/", "post")],
    "members:transfer_reject": [P("/members/transfers/{transfer_in}/reject/", "post")],
    "members:transfer_cancel": [P("/members/transfers/{transfer}/cancel/", "post")],
    "members:detail": [P("/members/{member}/")],
    "members:edit": [P("/members/{member}/edit/", form=True), P("/members/{member}/edit/", "post")],
    "members:status": [P("/members/{member}/status/", "post")],
    "members:send_transfer": [P("/members/{member}/transfer/", "post")],
    "members:reveal_id": [P("/members/{member}/id-number/", "post", identifiers=True)],
    "api:openapi-json": [P("/api/openapi.json", public=True, scoped=False)],
    # The API's schema and docs are public: Xianfeng is open source, the data is not.
    "api:openapi-view": [P("/api/docs", public=True, scoped=False)],
    "api:api-root": [],  # ninja's internal root name; serves no page of its own
    "api:list_orgs": [P("/api/orgs", scoped=False)],
    "api:create_org": [
        P(
            "/api/orgs",
            "post",
            data=(
                ("parent", "{town}"),
                ("code", "NEW1"),
                ("name", "新支部"),
                ("kind", "branch"),
                ("level", "village"),
            ),
        )
    ],
    "api:org_directory": [P("/api/orgs/directory?q=村", scoped=False)],
    "api:get_org": [P("/api/orgs/{org}")],
    "api:update_org": [P("/api/orgs/{org}", "patch")],
    "api:org_counts": [P("/api/orgs/{org}/counts")],
    "api:org_leadership": [P("/api/orgs/{org}/leadership")],
    "api:appoint_to_seat": [
        P(
            "/api/orgs/{org}/seats",
            "post",
            data=(
                ("role", "committee_member"),
                ("title", "宣传委员"),
                ("member", "MA1"),
                ("started_on", "2025-06-01"),
            ),
        )
    ],
    "api:end_seat": [
        P("/api/orgs/{org}/seats/{seat}/end", "post", data=(("ended_on", "2025-06-01"),))
    ],
    "api:record_election": [
        P("/api/orgs/{org}/terms", "post", data=(("elected_on", "2025-06-01"), ("years", "0")))
    ],
    "api:list_members": [P("/api/members", scoped=False)],
    "api:create_member": [
        P(
            "/api/members",
            "post",
            data=(
                ("org", "{org}"),
                ("code", "NEWM"),
                ("name", "新党员"),
                ("id_number", "11010519491231002X"),
                ("joined_on", "2000-01-01"),
            ),
        )
    ],
    "api:get_member": [P("/api/members/{member}")],
    "api:update_member": [P("/api/members/{member}", "patch")],
    "api:get_full_id_number": [P("/api/members/{member}/id-number", identifiers=True)],
    "api:change_status": [
        P(
            "/api/members/{member}/status",
            "post",
            data=(("status", "suspended"), ("on", "2025-06-01")),
        )
    ],
    "api:list_transfers": [P("/api/transfers", scoped=False)],
    "api:send_transfer": [
        P(
            "/api/transfers",
            "post",
            data=(("member", "{member}"), ("to_org", "CA-T1-B2"), ("sent_on", "2025-06-01")),
        )
    ],
    "api:get_transfer": [P("/api/transfers/{transfer}")],
    "api:receive_transfer": [
        P("/api/transfers/{transfer_in}/receive", "post", data=(("received_on", "2025-06-01"),))
    ],
    "api:reject_transfer": [P("/api/transfers/{transfer_in}/reject", "post")],
    "api:cancel_transfer": [P("/api/transfers/{transfer}/cancel", "post")],
    "api:me": [P("/api/accounts/me", scoped=False)],
    "api:list_accounts": [P("/api/accounts", scoped=False)],
    "api:create_account": [
        P(
            "/api/accounts",
            "post",
            data=(
                ("username", "newacc"),
                ("display_name", "新账号"),
                ("org", "{org}"),
                ("role", "viewer"),
            ),
        )
    ],
    "api:add_post": [
        P("/api/accounts/{account}/posts", "post", data=(("org", "{org}"), ("role", "officer")))
    ],
    "api:reset_password": [P("/api/accounts/{account}/reset-password", "post")],
    "api:deactivate": [P("/api/accounts/{account}/deactivate", "post")],
    "compliance:rules": [P("/compliance/rules/", scoped=False)],
    "compliance:rule": [P("/compliance/rules/ORG-03/?org={org}")],
    "compliance:org_findings": [P("/compliance/orgs/{org}/")],
    "compliance:check": [P("/compliance/orgs/{org}/check/", "post")],
    "compliance:subtree": [P("/compliance/orgs/{town}/subtree/")],
    # The export writes only its own audit row; what-if evaluates without saving.
    "compliance:export": [P("/compliance/orgs/{org}/export.xlsx", "post")],
    "compliance:whatif": [
        P("/compliance/orgs/{org}/what-if/"),
        P("/compliance/orgs/{org}/what-if/", "post"),
    ],
    "compliance:policy": [
        P("/compliance/orgs/{org}/policy/"),
        P("/compliance/orgs/{org}/policy/", "post"),
    ],
}


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_plat_01_matrix_covers_every_page_and_endpoint():
    names = set(_walk(get_resolver().url_patterns))
    assert names - set(MATRIX) == set(), "add the new page or endpoint to MATRIX"
    assert set(MATRIX) - names == set()


@dataclass
class World:
    objects_in: dict[str, object] = field(default_factory=dict)
    objects_out: dict[str, object] = field(default_factory=dict)


@pytest.fixture
def world(tree):
    """Objects of every kind inside (branch A) and outside (county B) the scope."""
    from tests.factories import make_member, make_org, make_user

    secretary, outsider = tree.users["secretary"], tree.users["outsider"]
    branch_b2 = make_org(tree.town_b, kind="branch", code="CB-T1-B2", name="蓝天村党支部")
    coming = make_member(branch_b2, code="MB2", name="赵七")
    transfer_in = send_transfer(member=coming, to_org=tree.branch_a, sent_on=dt.date(2025, 5, 1))
    transfer_out = send_transfer(
        member=tree.member_b, to_org=branch_b2, sent_on=dt.date(2025, 5, 1)
    )
    leaving = make_member(tree.branch_a, code="MA9")
    mine = send_transfer(member=leaving, to_org=tree.branch_a2, sent_on=dt.date(2025, 5, 2))
    out_account = make_user("out_account", org=tree.branch_b, role="viewer")
    in_account = make_user("in_account", org=tree.branch_a, role="viewer")
    job_in = Job.objects.create(kind="t", title="t", created_by=secretary, org=tree.branch_a)
    job_out = Job.objects.create(kind="t", title="t", created_by=outsider, org=tree.branch_b)
    token_in, _ = create_api_token(user=secretary, name="in")
    token_out, _ = create_api_token(user=outsider, name="out")
    day = dt.date(2024, 1, 1)
    seat_in = appoint_to_seat(
        org=tree.branch_a, role="secretary", member=tree.member_a, started_on=day
    )
    seat_out = appoint_to_seat(
        org=tree.branch_b, role="secretary", member=tree.member_b, started_on=day
    )
    w = World()
    w.objects_in = {
        "org": "CA-T1-B1",
        "town": "CA-T1-B1",
        "member": "MA1",
        "account": in_account.username,
        "post": in_account.posts.get().pk,
        "transfer": mine.pk,
        "transfer_in": transfer_in.pk,
        "job": job_in.pk,
        "token": token_in.pk,
        "seat": seat_in.pk,
    }
    w.objects_out = {
        "org": "CB-T1-B1",
        "town": "CB-T1",
        "member": "MB1",
        "account": out_account.username,
        "post": out_account.posts.get().pk,
        "transfer": transfer_out.pk,
        "transfer_in": transfer_out.pk,
        "job": job_out.pk,
        "token": token_out.pk,
        "seat": seat_out.pk,
    }
    return w


def _call(client, endpoint: Endpoint, objects: dict):
    path = endpoint.path.format(**objects)
    if endpoint.method == "get":
        return client.get(path)
    if not path.startswith("/api/"):
        return client.post(path, {})
    data = {key: value.format(**objects) for key, value in endpoint.data}
    return getattr(client, endpoint.method)(path, data, content_type="application/json")


CASES = [(name, ep) for name, eps in MATRIX.items() for ep in eps]
IDS = [f"{ep.method}:{name}" for name, ep in CASES]


@pytest.mark.parametrize(("name", "endpoint"), CASES, ids=IDS)
def test_plat_01_anonymous(client, world, name, endpoint):
    response = _call(client, endpoint, world.objects_in)
    if endpoint.public:
        assert response.status_code < 500
    elif endpoint.path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("name", "endpoint"),
    [c for c in CASES if c[1].scoped],
    ids=[i for i, c in zip(IDS, CASES, strict=True) if c[1].scoped],
)
def test_plat_01_out_of_scope_is_404(client_for, tree, world, name, endpoint):
    for user in ["secretary", "county_viewer", "member", "nobody"]:
        response = _call(client_for(tree.users[user]), endpoint, world.objects_out)
        assert response.status_code == 404, (name, user, response.status_code)


READ_ONLY_WRITES = {"accounts:token_revoke", "accounts:bulk_create"}


@pytest.mark.parametrize(
    ("name", "endpoint"),
    [c for c in CASES if c[1].scoped],
    ids=[i for i, c in zip(IDS, CASES, strict=True) if c[1].scoped],
)
def test_plat_01_in_scope_admin_may_act(client_for, tree, world, name, endpoint):
    secretary = tree.users["secretary"]
    if endpoint.identifiers:
        assert _call(client_for(secretary), endpoint, world.objects_in).status_code == 403
        secretary.can_view_identifiers = True
        secretary.save()
    response = _call(client_for(secretary), endpoint, world.objects_in)
    assert response.status_code not in {401, 403, 404, 500}, (name, response.status_code)


VIEWER_MAY = {"job", "accounts:token_revoke", "compliance:export", "compliance:whatif"}


@pytest.mark.parametrize(
    ("name", "endpoint"),
    [c for c in CASES if c[1].scoped],
    ids=[i for i, c in zip(IDS, CASES, strict=True) if c[1].scoped],
)
def test_plat_01_viewer_reads_but_cannot_write(client_for, tree, world, name, endpoint):
    viewer = tree.users["county_viewer"]
    objects = dict(world.objects_in)
    Job.objects.filter(pk=objects["job"]).update(created_by=viewer)
    from xianfeng.accounts.models import ApiToken

    ApiToken.objects.filter(pk=objects["token"]).update(user=viewer)
    response = _call(client_for(viewer), endpoint, objects)
    if not endpoint.writes and not endpoint.identifiers or name in VIEWER_MAY:
        assert response.status_code in {200, 302}, (name, response.status_code)
    else:
        assert response.status_code in {403, 404}, (name, response.status_code)
        if name.startswith("accounts:") or name.startswith("api:") and "account" in name:
            return  # account administration is invisible (404) to non-admins
        assert response.status_code == 403, (name, response.status_code)


OUT_CODES = ["CB-T1-B1", "MB1", "王五", "out_account"]
LISTS = [
    "/orgs/",
    "/orgs/?q=白云",
    "/members/",
    "/members/?q=王",
    "/accounts/",
    "/api/orgs",
    "/api/orgs?q=by",
    "/api/members",
    "/api/members?q=王",
    "/api/accounts",
    "/accounts/?q=out",
]


@pytest.mark.parametrize("path", LISTS)
def test_plat_01_lists_and_searches_hold_nothing_out_of_scope(client_for, tree, world, path):
    for user in ["secretary", "county_viewer", "member", "nobody"]:
        response = client_for(tree.users[user]).get(path)
        body = response.content.decode()
        assert response.status_code in {200, 403}, (path, user)
        for text in OUT_CODES:
            assert text not in body, (path, user, text)


def test_plat_01_member_account_sees_only_own_record(client_for, tree, world):
    client = client_for(tree.users["member"])
    assert client.get("/members/MA1/").status_code == 200
    assert client.get("/members/MA2/").status_code == 404
    assert client.get("/orgs/CA-T1-B1/").status_code == 404
    assert client.get("/members/me/").status_code == 200
