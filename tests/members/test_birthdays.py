"""Political birthdays (政治生日, MEM-06): members of a subtree, full or probationary, who
joined in the month of an earlier year, with the anniversary and the party age; the page,
its .xlsx download and the API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.factories import make_id, make_member
from xianfeng.members import domain
from xianfeng.members.birthdays import anniversary, parse_month, political_birthdays

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def june(tree):
    # born in 1970 whatever the factory's sequence: every joining date is after 18
    def member(*args, **kwargs):
        return make_member(*args, id_number=make_id(D(1970, 1, 1)), **kwargs)

    member(tree.branch_a, code="MA7", name="周一", joined_on=D(2001, 6, 20), full_on=D(2002, 6, 20))
    member(tree.branch_a2, code="MA8", name="吴二", status="probationary", joined_on=D(2024, 6, 5))
    member(tree.branch_a, code="MA9", name="郑三", joined_on=D(2025, 6, 1), status="probationary")
    gone = member(tree.branch_a, code="MA10", name="冯四", joined_on=D(1999, 6, 1))
    domain.set_member_status(member=gone, status="left", on=D(2020, 1, 1), reason="deceased")
    member(tree.branch_b, code="MB7", name="陈五", joined_on=D(2000, 6, 1))
    return tree


def test_mem_06_birthdays_of_a_month_in_the_subtree(june):
    rows = political_birthdays(june.town_a, parse_month("2025-06"))
    got = [(r.member.code, r.day, r.years, r.party_age) for r in rows]
    assert got == [("MA8", D(2025, 6, 5), 1, None), ("MA7", D(2025, 6, 20), 24, 23)]


def test_mem_06_month_must_be_a_month():
    with pytest.raises(ValueError, match="月份格式应为 2025-06"):
        parse_month("2025-Q2")


def test_mem_06_leap_day_joining_is_marked_on_28_february():
    assert anniversary(D(2008, 2, 29), 2025) == D(2025, 2, 28)
    assert anniversary(D(2008, 2, 29), 2028) == D(2028, 2, 29)


def test_mem_06_page_and_xlsx(client_for, june):
    client = client_for(june.users["county_viewer"])
    page = client.get("/members/orgs/CA-T1/birthdays/?month=2025-06")
    body = page.content.decode()
    assert page.status_code == 200 and "周一" in body and "吴二" in body
    assert "郑三" not in body and "冯四" not in body and "陈五" not in body
    download = client.get("/members/orgs/CA-T1/birthdays.xlsx?month=2025-06")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("党员编号", "姓名", "所在党组织")
    assert [r[0] for r in rows[1:]] == ["MA8", "MA7"]


def test_mem_06_bad_month_shows_this_month(client_for, june):
    page = client_for(june.users["secretary"]).get("/members/orgs/CA-T1-B1/birthdays/?month=x")
    assert page.status_code == 200


def test_mem_06_api(client_for, june):
    client = client_for(june.users["secretary"])
    rows = client.get("/api/members/orgs/CA-T1-B1/birthdays?month=2025-06").json()
    assert [(r["member"], r["years"], r["party_age"]) for r in rows] == [("MA7", 24, 23)]
    assert client.get("/api/members/orgs/CA-T1-B1/birthdays?month=2025-13").status_code == 422
