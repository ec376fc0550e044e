"""The demo jurisdiction (`xianfeng demo`): deterministic, consistent, bulk-loaded."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_member, make_org
from xianfeng.accounts.demo import DEMO_PASSWORD
from xianfeng.core.actor import acting_as
from xianfeng.core.demo import DemoError
from xianfeng.demo.builder import build_demo
from xianfeng.dues.models import Declaration, MonthClose, Payment
from xianfeng.members.models import (
    Member,
    Status,
    Transfer,
)
from xianfeng.orgs.models import (
    ContactPoint,
    Org,
    Seat,
    Venue,
    Visit,
)

AS_OF = dt.date(2025, 6, 30)
TOWN_KINDS = {
    "party_committee",
    "general_branch",
    "branch",
    "joint_branch",
    "party_group",
    "temporary_org",
    "industry_joint_org",
}


def town(seed=1, replace=False):
    return build_demo(scale="town", seed=seed, as_of=AS_OF, replace=replace)


def fingerprint():
    """Everything the seed decides, keyed by the stable codes (not by database ids)."""
    orgs = list(
        Org.objects.order_by("path").values_list(
            "code", "name", "kind", "level", "sector", "path", "founded_on", "unit_name"
        )
    )
    members = list(
        Member.objects.order_by("code").values_list(
            "code",
            "name",
            "gender",
            "birth_date",
            "id_number_masked",
            "id_number_hmac",
            "joined_on",
            "full_on",
            "status",
            "status_since",
            "org__code",
            "party_group__code",
            "category",
            "flags",
            "phone",
        )
    )
    transfers = sorted(
        Transfer.objects.values_list(
            "member__code", "from_org__code", "to_org__code", "status", "sent_on", "received_on"
        )
    )
    seats = sorted(
        Seat.objects.values_list(
            "org__code", "role", "title", "member__code", "started_on", "ended_on"
        )
    )
    support = (
        sorted(
            ContactPoint.objects.values_list(
                "org__code", "leader__code", "target__code", "started_on", "ended_on"
            )
        ),
        sorted(
            Visit.objects.values_list(
                "contact_point__leader__code",
                "contact_point__target__code",
                "visited_on",
                "kind",
                "summary",
            )
        ),
        sorted(
            Venue.objects.values_list(
                "org__code", "name", "address", "area_m2", "shared", "has_reading", "closed_on"
            )
        ),
    )
    dues = (
        sorted(
            Payment.objects.values_list(
                "member__code", "month", "kind", "amount", "paid_on", "org__code", "note"
            )
        ),
        sorted(Declaration.objects.values_list("member__code", "period", "monthly_base")),
        sorted(MonthClose.objects.values_list("org__code", "month", "closed_on")),
    )
    return orgs, members, transfers, seats, support, dues


def full_members(org):
    return Member.objects.filter(org__path__startswith=org.path, status=Status.FULL).count()


def test_same_seed_gives_identical_data_and_another_seed_differs(db):
    town(seed=7)
    first = fingerprint()
    town(seed=7, replace=True)
    assert fingerprint() == first
    town(seed=8, replace=True)
    other = fingerprint()
    assert other[0] != first[0]
    assert other[1] != first[1]


def test_history_rows_name_the_command_line(db):
    with acting_as(None, "cli: xianfeng demo --scale town --seed 1"):
        town()
    history = Org.history.model.objects
    assert history.count() == Org.objects.count()
    assert set(history.values_list("history_type", "history_change_reason")) == {
        ("+", "cli: xianfeng demo --scale town --seed 1")
    }
    assert Member.history.model.objects.count() == Member.objects.count()
    assert Transfer.history.model.objects.count() == Transfer.objects.count()
    for model in (ContactPoint, Visit, Venue):
        assert model.objects.exists()
        assert model.history.model.objects.count() == model.objects.count()


def test_domain_writes_continue_after_the_bulk_load(db):
    """Ids were assigned by the loader: the database sequences must continue after them."""
    calls = []
    town(seed=4)
    build_demo(
        scale="town",
        seed=4,
        as_of=AS_OF,
        replace=True,
        progress=lambda done, total, message: calls.append((done, total)),
    )
    assert calls[-1][0] == calls[-1][1] and len(calls) == calls[-1][1]
    branch = Org.objects.filter(kind="branch").order_by("path").first()
    org = make_org(Org.objects.get(depth=1), kind="branch", code="NEW-1", name="新建党支部")
    member = make_member(branch, code="NEW-M1")
    assert org.pk > Org.objects.exclude(pk=org.pk).order_by("-pk").first().pk
    assert member.pk > Member.objects.exclude(pk=member.pk).order_by("-pk").first().pk
    assert Org.objects.find_problems() == ([], [], [], [], [])


def test_demo_refuses_a_database_with_orgs_unless_replace(db):
    town()
    with pytest.raises(DemoError, match="--replace"):
        town(seed=2)
    town(seed=2, replace=True)
    assert Org.objects.filter(depth=1).count() == 1


def test_replace_refuses_to_delete_real_data(db):
    make_org(None, kind="party_committee", code="REAL", name="真实县委", level="county")
    with pytest.raises(DemoError, match="不是示范数据"):
        town(replace=True)
    assert Org.objects.filter(code="REAL").exists()


def test_command_prints_summary_and_accounts(db):
    out = io.StringIO()
    call_command("demo", scale="town", seed="3", as_of="2025-06-30", stdout=out)
    text = out.getvalue()
    assert "党员" in text and "demo_secretary" in text and DEMO_PASSWORD in text
    with pytest.raises(CommandError, match="--replace"):
        call_command("demo", scale="town", seed="3", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"scale": "village", "seed": "1"}, "--scale"),
        ({"seed": "1"}, "--scale"),
        ({"scale": "town"}, "--seed"),
        ({"scale": "town", "seed": "abc"}, "--seed"),
        ({"scale": "town", "seed": "1", "as_of": "2025-13-01"}, "YYYY-MM-DD"),
        ({"scale": "town", "seed": "1", "as_of": "2999-01-01"}, "晚于今天"),
        ({"scale": "town", "seed": "1", "as_of": "1999-01-01"}, "不能早于"),
    ],
)
def test_command_refuses_bad_arguments(db, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("demo", stdout=io.StringIO(), **options)
    assert not Org.objects.exists()


# --- organizational life (LIFE-01 … LIFE-05) ------------------------------------------


def test_life_05_demo_late_meeting_leaves_the_other_rows_as_they_were(db, monkeypatch):
    """The late life meeting comes from its own stream ("life.late"): built without it,
    the seed's other meetings and attendance rows are the same, and the branch holds
    that year's life meeting in December or January instead."""
    from xianfeng.orglife.demo import LifeBuilder
    from xianfeng.orglife.models import Attendance, Meeting

    def rows(skip: list[int]) -> tuple:
        key = ("org__code", "kind", "held_on", "topic", "host__code", "for_period")
        meetings = Meeting.objects.exclude(pk__in=skip).values_list(*key)
        of = ("meeting__org__code", "meeting__kind", "meeting__held_on", "meeting__topic")
        marks = Attendance.objects.exclude(meeting__in=skip)
        marks = marks.values_list(*of, "member__code", "status", "voting")
        return sorted(meetings, key=str), sorted(marks, key=str)

    town(seed=3)
    late = Meeting.objects.exclude(period_reason="").get()
    with_late = rows([late.pk])
    monkeypatch.setattr(LifeBuilder, "_late_branch", lambda self, branches, missing: None)
    town(seed=3, replace=True)
    assert not Meeting.objects.exclude(period_reason="").exists()
    on_time = Meeting.objects.get(
        org__code=late.org.code,
        kind="life_meeting",
        for_period=late.for_period,
        held_on__lt=dt.date(AS_OF.year, 3, 1),
    )
    assert rows([on_time.pk]) == with_late


def test_town_demo_meetings_are_deterministic_and_leave_the_rest_unchanged(db):
    from xianfeng.orglife.models import Attendance, Meeting

    def meetings():
        rows = Meeting.objects.values_list(
            "org__code", "kind", "held_on", "topic", "lecturer__code"
        )
        return sorted(rows), Counter(Attendance.objects.values_list("status", flat=True))

    town(seed=7)
    first, before = meetings(), fingerprint()
    town(seed=7, replace=True)
    assert (meetings(), fingerprint()) == (first, before)
    assert Meeting.history.count() == Meeting.objects.count()
