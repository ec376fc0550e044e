"""ORG-04/ORG-05 pages and endpoints: an org's seats, terms and vacancies, scoped (PLAT-01)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from tests.factories import make_member
from xianfeng.lib.dates import add_months, today
from xianfeng.orgs.domain import appoint_to_seat, end_seat, record_election
from xianfeng.orgs.models import Seat, Term

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def seated(tree):
    """Branch A: a secretary since 2020, an organizer who left 8 months ago, a term."""
    secretary = appoint_to_seat(
        org=tree.branch_a, role="secretary", member=tree.member_a, started_on=D(2020, 1, 1)
    )
    organizer = appoint_to_seat(
        org=tree.branch_a,
        role="committee_member",
        title="组织委员",
        member=make_member(tree.branch_a, code="MA7", name="周八"),
        started_on=D(2020, 1, 1),
    )
    end_seat(seat=organizer, on=add_months(today(), -8))
    term = record_election(org=tree.branch_a, elected_on=D(2024, 1, 10))
    return {"secretary": secretary, "organizer": organizer, "term": term}


def _json(response):
    return json.loads(response.content)


# --- API -----------------------------------------------------------------------------


def test_org_04_api_leadership_lists_seats_terms_and_vacancies(client_for, tree, seated):
    data = _json(client_for(tree.users["county_viewer"]).get("/api/orgs/CA-T1-B1/leadership"))
    assert data["org"] == "CA-T1-B1"
    assert [(s["role"], s["member"], s["active"]) for s in data["seats"]] == [
        ("secretary", "MA1", True),
        ("committee_member", "MA7", False),
    ]
    assert [(t["number"], t["elected_on"], t["years"], t["expires_on"]) for t in data["terms"]] == [
        (1, "2024-01-10", 5, "2029-01-10")  # rural branch: 5 years
    ]
    since = add_months(today(), -8) + dt.timedelta(days=1)
    assert data["vacancies"] == [
        {
            "role": "committee_member",
            "role_label": "委员",
            "title": "组织委员",
            "vacant_since": since.isoformat(),
            "due": add_months(since, 6).isoformat(),
            "overdue": True,
            "seats": [seated["organizer"].pk],
        }
    ]


@pytest.mark.parametrize(
    ("user", "code", "status"),
    [
        ("secretary", "CA-T1-B1", 200),
        ("secretary", "CA-T1", 404),
        ("outsider", "CA-T1-B1", 404),
        ("member", "CA-T1-B1", 404),
        ("county_viewer", "CA-T1-B1", 200),
    ],
)
def test_org_04_api_leadership_scope(client_for, tree, user, code, status):
    response = client_for(tree.users[user]).get(f"/api/orgs/{code}/leadership")
    assert response.status_code == status


def _post(client, path, payload):
    return client.post(path, payload, content_type="application/json")


WRITES = [
    (
        "/api/orgs/CA-T1-B1/seats",
        {"role": "deputy_secretary", "member": "MA1", "started_on": "2025-06-01"},
    ),
    ("/api/orgs/CA-T1-B1/terms", {"elected_on": "2025-06-01"}),
]


@pytest.mark.parametrize(("path", "payload"), WRITES)
def test_org_04_api_viewer_cannot_write_and_outsider_sees_nothing(client_for, tree, path, payload):
    assert _post(client_for(tree.users["county_viewer"]), path, payload).status_code == 403
    assert _post(client_for(tree.users["outsider"]), path, payload).status_code == 404
    assert not Seat.objects.exists() and not Term.objects.exists()


def test_org_04_api_appoint_end_and_elect(client_for, tree):
    client = client_for(tree.users["secretary"])
    seat = _json(
        _post(
            client,
            "/api/orgs/CA-T1-B1/seats",
            {"role": "secretary", "member": "MA1", "started_on": "2025-06-01"},
        )
    )
    assert (seat["role_label"], seat["member_name"], seat["active"]) == ("书记", "张三", True)
    ended = _post(client, f"/api/orgs/CA-T1-B1/seats/{seat['id']}/end", {"ended_on": "2025-09-30"})
    assert _json(ended)["ended_on"] == "2025-09-30" and not _json(ended)["active"]
    response = _post(client, "/api/orgs/CA-T1-B1/terms", {"elected_on": "2025-06-01", "years": 3})
    assert response.status_code == 201
    term = _json(response)
    assert (term["years"], term["expires_on"], term["deadline"]) == (3, "2028-06-01", "2028-06-01")
    assert term["years_source"] == "换届选举时确定的任期"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"role": "secretary", "member": "MA2", "started_on": "2025-06-01"}, "member"),
        ({"role": "mayor", "member": "MA1", "started_on": "2025-06-01"}, "role"),
    ],
)
def test_org_04_api_appointment_errors_are_422(client_for, tree, payload, field):
    response = _post(client_for(tree.users["secretary"]), "/api/orgs/CA-T1-B1/seats", payload)
    assert response.status_code == 422
    assert field in _json(response)["errors"]


def test_org_04_api_end_seat_of_another_org_is_404(client_for, tree):
    other = appoint_to_seat(
        org=tree.branch_a2, role="secretary", member=tree.member_a2, started_on=D(2020, 1, 1)
    )
    response = _post(
        client_for(tree.users["county_officer"]),
        f"/api/orgs/CA-T1-B1/seats/{other.pk}/end",
        {"ended_on": "2025-01-01"},
    )
    assert response.status_code == 404


# --- page ----------------------------------------------------------------------------


def test_org_04_page_shows_seats_vacancies_terms_and_forms(client_for, tree, seated):
    response = client_for(tree.users["secretary"]).get(
        reverse("orgs:leadership", args=["CA-T1-B1"])
    )
    assert response.status_code == 200
    text = response.text
    for fragment in ["张三", "周八", "组织委员", "逾期未补齐", "第1届", "2029-01-10", "本届"]:
        assert fragment in text, fragment
    assert reverse("orgs:seat_add", args=["CA-T1-B1"]) in text
    assert reverse("orgs:term_add", args=["CA-T1-B1"]) in text
    assert reverse("orgs:seat_end", args=["CA-T1-B1", seated["secretary"].pk]) in text


def test_org_04_page_has_no_forms_for_a_viewer(client_for, tree, seated):
    response = client_for(tree.users["county_viewer"]).get(
        reverse("orgs:leadership", args=["CA-T1-B1"])
    )
    assert response.status_code == 200
    assert reverse("orgs:seat_add", args=["CA-T1-B1"]) not in response.text


def test_org_04_page_appoints_and_records_an_election(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post(
        reverse("orgs:seat_add", args=["CA-T1-B1"]),
        {"role": "secretary", "title": "", "member": "MA1", "started_on": "2025-06-01"},
    )
    assert response.status_code == 302
    assert tree.branch_a.seats.get().member == tree.member_a
    response = client.post(
        reverse("orgs:term_add", args=["CA-T1-B1"]), {"elected_on": "2025-06-01", "years": "0"}
    )
    assert response.status_code == 302
    assert tree.branch_a.terms.get().elected_on == D(2025, 6, 1)


def test_org_04_page_shows_domain_errors_on_the_form(client_for, tree, seated):
    client = client_for(tree.users["secretary"])
    response = client.post(
        reverse("orgs:seat_add", args=["CA-T1-B1"]),
        {"role": "secretary", "member": "MB1", "started_on": "2025-06-01"},
    )
    assert response.status_code == 200
    assert "没有找到本组织及下级组织的在册党员“MB1”" in response.text
    response = client.post(
        reverse("orgs:seat_end", args=["CA-T1-B1", seated["secretary"].pk]),
        {"ended_on": "2019-01-01"},
    )
    assert response.status_code == 200
    assert "离任日期不能早于任职日期" in response.text
