"""UI text in Chinese first, English available (Django i18n).

Pages are Chinese by default; the language cookie (set by the footer's language
switcher through Django's set_language view) turns nav labels, template text and
model choice labels into English.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

import xianfeng

pytestmark = pytest.mark.django_db

PO = Path(xianfeng.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_pages_are_chinese_by_default(tree, client_for):
    client = client_for(tree.users["city_admin"])
    body = client.get("/orgs/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "组织树" in body
    assert "组织关系转接" in body  # nav
    assert "Org tree" not in body
    detail = client.get("/orgs/CA-T1-B1/").content.decode()
    assert "党支部" in detail
    assert "基本信息" in detail


def test_footer_has_a_language_switcher(tree, client_for):
    body = client_for(tree.users["city_admin"]).get("/orgs/?q=qs").content.decode()
    assert 'action="/i18n/setlang/"' in body
    assert 'name="next" value="/orgs/?q=qs"' in body
    assert '<option value="zh-hans" selected>简体中文</option>' in body
    assert '<option value="en">English</option>' in body


def test_language_cookie_en_shows_english(tree, client_for):
    client = _english(client_for(tree.users["city_admin"]))
    body = client.get("/orgs/").content.decode()
    assert '<html lang="en">' in body
    assert "Org tree" in body  # nav, title and heading
    assert "Members" in body and "Transfers" in body  # nav
    assert "组织树" not in body
    assert '<option value="en" selected>English</option>' in body


def test_english_model_choice_labels_and_template_text(tree, client_for):
    client = _english(client_for(tree.users["city_admin"]))
    body = client.get("/orgs/CA-T1-B1/").content.decode()
    assert '<dd class="col-7 col-sm-8">Branch</dd>' in body  # Org.Kind label
    assert "Basic information" in body
    assert "Sector" in body and "Level" in body
    assert '<dd class="col-7 col-sm-8">党支部</dd>' not in body
    members = client.get("/members/").content.decode()
    assert "Member list" in members
    assert "Probationary member" in members or "Full member" in members


def test_set_language_endpoint_switches_and_redirects(tree, client_for):
    client = client_for(tree.users["city_admin"])
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/orgs/"})
    assert response.status_code == 302
    assert response["Location"] == "/orgs/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Org tree" in client.get("/orgs/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/orgs/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert "组织树" in client.get("/orgs/").content.decode()


def test_set_language_works_before_login(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    body = client.get("/accounts/login/").content.decode()
    assert "Log in to Xianfeng" in body


def test_catalogue_is_complete_and_compiled():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    # Every entry but the header has a translation.
    untranslated = text.count('\nmsgstr ""\n\n') + text.endswith('\nmsgstr ""\n')
    assert untranslated == 0
    assert PO.with_suffix(".mo").exists()
    with translation.override("en"):
        assert translation.gettext("组织树") == "Org tree"
        assert translation.pgettext("nav", "党员") == "Members"
    with translation.override("zh-hans"):
        assert translation.gettext("组织树") == "组织树"


def test_chinese_first_even_for_an_english_browser(client_for, tree):
    client = client_for(tree.users["city_admin"])
    response = client.get("/orgs/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "组织树" in response.content.decode()


def test_english_recruitment_pages(tree, client_for):
    from tests.recruitment.pipeline_helpers import make_activist

    person = make_activist(tree.branch_a, name="钱小红")
    client = _english(client_for(tree.users["city_admin"]))
    pages = {
        "/recruitment/orgs/CA-T1-B1/": ["Register an applicant", "Activist"],
        f"/recruitment/people/{person.pk}/": [
            "Full recruitment record",
            "Mentor (member code)",  # the mentor form's label (forms/pipeline.py)
        ],
        "/recruitment/orgs/CA-T1-B1/overview/": ["Recruitment overview"],
        "/recruitment/orgs/CA-T1-B1/cultivations/": ["Cultivation", "Talent pool"],
        "/recruitment/orgs/CA-T1-B1/talent/": ["Talent pool", "All tags"],
        "/recruitment/orgs/CA-T1-B1/targets/": ["Yearly targets"],
        "/recruitment/orgs/CA-T1-B1/targets/progress/": ["Target progress", "Talent ratio"],
    }
    for path, english in pages.items():
        body = client.get(path).content.decode()
        for text in english:
            assert text in body, (path, text)
        for chinese in ("发展党员", "入党申请人", "培养联系人", "人才库", "年度目标"):
            assert f">{chinese}<" not in body, (path, chinese)


def test_english_member_talents_discipline_and_birthdays(tree, client_for):
    from tests.factories import make_member

    member = make_member(tree.branch_a)
    client = _english(client_for(tree.users["city_admin"]))
    talents = client.get(f"/members/{member.code}/talents/").content.decode()
    assert "Practical skills and talent tags" in talents
    assert "Dual-lead recognition" in talents
    discipline = client.get(f"/members/{member.code}/discipline/").content.decode()
    assert "Record a disciplinary penalty" in discipline
    assert "No disciplinary penalties recorded" in discipline
    birthdays = client.get("/members/orgs/CA-T1-B1/birthdays/").content.decode()
    assert "Political birthdays" in birthdays
    dual = client.get("/members/orgs/CA-T1-B1/dual-lead/").content.decode()
    assert "Share of dual-lead members" in dual


def test_english_dues_pages(tree, client_for):
    from tests.dues.helpers import THIS, label, with_ledgers

    with_ledgers(tree)
    client = _english(client_for(tree.users["city_admin"]))
    pages = {
        "/dues/members/MA1/": [
            "Month by month",
            "Base 3000.00 yuan × 0.5% = 15.00 yuan",
            "Salaried (wage income)",
            "Record a payment (one month, or several in advance or in arrears)",
            "Monthly dues base (yuan)",  # the declaration form's label (forms.py)
        ],
        "/dues/orgs/CA-T1-B1/": ["Monthly totals (this organization and below)", "Arrears list"],
        "/dues/orgs/CA-T1-B1/arrears/": ["Dues arrears list", "Consecutive months"],
        f"/dues/orgs/CA-T1-B1/month/{label(THIS)}/": ["Save: the ticked members paid", "Paid on"],
        "/dues/reductions/": ["Dues reductions awaiting decision"],
    }
    for path, english in pages.items():
        body = client.get(path).content.decode()
        for text in english:
            assert text in body, (path, text)
        for chinese in ("党费收缴", "欠交", "应交", "缴费基数"):
            assert f">{chinese}<" not in body, (path, chinese)
