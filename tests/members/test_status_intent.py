"""Status changes need intent (issue 12, problem 8): nothing preselected on the member
page, grounds and a confirmation to suspend or end a membership, on the web and the API."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _status_url(code="MA1"):
    return reverse("members:status", args=[code])


def test_status_form_preselects_no_status(tree, client_for):
    page = client_for(tree.users["secretary"]).get(reverse("members:detail", args=["MA1"]))
    select = re.search(r'<select name="status".*?</select>', page.text, re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"( selected)?', select)
    assert options[0] == ("", " selected")
    assert [value for value, selected in options if selected] == [""]
    assert "停止党籍" in select
    assert 'name="confirm"' in page.text and 'name="note"' in page.text


def test_status_form_without_a_choice_changes_nothing(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post(_status_url(), {"on": "2024-05-01"}, **HTMX)
    assert response.status_code == 200
    tree.member_a.refresh_from_db()
    assert tree.member_a.status == "full"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"note": "长期不参加组织生活"}, "请勾选确认后再办理停止党籍"),
        ({"confirm": "on"}, "停止党籍须填写理由"),
    ],
)
def test_suspension_on_the_page_needs_grounds_and_confirmation(tree, client_for, data, error):
    client = client_for(tree.users["secretary"])
    post = {"status": "suspended", "on": "2024-05-01", **data}
    response = client.post(_status_url(), post, **HTMX)
    assert response.status_code == 200
    assert error in response.text
    tree.member_a.refresh_from_db()
    assert tree.member_a.status == "full"


def test_suspension_on_the_page_with_grounds_and_confirmation(tree, client_for):
    client = client_for(tree.users["secretary"])
    post = {"status": "suspended", "on": "2024-05-01", "note": "支部大会决议", "confirm": "on"}
    assert client.post(_status_url(), post).status_code == 302
    tree.member_a.refresh_from_db()
    assert tree.member_a.status == "suspended"
    assert tree.member_a.status_spells.get(ended_on__isnull=True).note == "支部大会决议"
    page = client.get(reverse("members:detail", args=["MA1"]))
    assert "支部大会决议" in page.text


def test_leaving_on_the_page_needs_grounds_and_confirmation(tree, client_for):
    client = client_for(tree.users["secretary"])
    post = {"status": "left", "on": "2024-05-01", "reason": "deceased"}
    refused = client.post(_status_url(), post, **HTMX)
    assert "出党须填写理由" in refused.text
    assert "请勾选确认后再办理出党" in refused.text
    tree.member_a.refresh_from_db()
    assert tree.member_a.status == "full"
    done = client.post(_status_url(), {**post, "note": "2024年4月病故", "confirm": "on"})
    assert done.status_code == 302
    tree.member_a.refresh_from_db()
    assert (tree.member_a.status, tree.member_a.left_reason) == ("left", "deceased")


def test_lost_contact_needs_no_confirmation(tree, client_for):
    client = client_for(tree.users["secretary"])
    post = {"status": "lost_contact", "on": "2024-05-01"}
    assert client.post(_status_url(), post).status_code == 302


def test_api_suspension_without_grounds_is_refused(tree, client_for):
    client = client_for(tree.users["secretary"])
    body = {"status": "suspended", "on": "2024-05-01"}
    refused = client.post("/api/members/MA1/status", body, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"note": ["停止党籍须填写理由"]}
    tree.member_a.refresh_from_db()
    assert tree.member_a.status == "full"
    body["note"] = "支部大会决议"
    done = client.post("/api/members/MA1/status", body, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["status"] == "suspended"


def test_api_removal_without_grounds_is_refused(tree, client_for):
    client = client_for(tree.users["secretary"])
    body = {"status": "left", "on": "2024-05-01", "reason": "removed"}
    refused = client.post("/api/members/MA1/status", body, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"note": ["除名须填写理由"]}
    tree.member_a.refresh_from_db()
    assert tree.member_a.status == "full"
