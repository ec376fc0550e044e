"""The daily digest: reminder sources in, one notice a day per user out (and e-mail)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_user
from xianfeng.accounts.models import User
from xianfeng.notices.digest import send_digests
from xianfeng.notices.models import Notice, Reminded
from xianfeng.notices.reminders import Reminder, reminder_sources
from xianfeng.notices.tasks import remind_task

pytestmark = pytest.mark.django_db
D = dt.date
DAY1, DAY2 = D(2025, 6, 24), D(2025, 6, 25)


def item(key: str, *users: str, overdue: bool = False, category: str = "组织生活") -> dict:
    """A reminder as the tables write it: recipients by username."""
    return {"key": key, "users": users, "overdue": overdue, "category": category}


def _reminder(ids: dict[str, int], spec: dict) -> Reminder:
    return Reminder(
        recipients=tuple(ids[name] for name in spec["users"]),
        key=spec["key"],
        category=spec["category"],
        title=f"{spec['key']}事项",
        due=D(2025, 6, 30),
        overdue=spec["overdue"],
        org_name="青山村党支部",
        url=f"/x/{spec['key']}/",
    )


def _sources(tree, specs: list[dict]):
    """Two sources, as two apps would register them: meetings and terms."""
    ids = dict(User.objects.values_list("username", "pk"))

    def meetings(as_of):
        return [_reminder(ids, s) for s in specs if s["category"] == "组织生活"]

    def terms(as_of):
        return [_reminder(ids, s) for s in specs if s["category"] == "换届"]

    return [meetings, terms]


def _lines(user) -> list[str]:
    """The item lines of the user's latest digest."""
    notice = Notice.objects.filter(user=user, kind="digest").order_by("-pk").first()
    assert notice is not None
    return [line for line in notice.body.splitlines() if line.startswith(("· ", "【"))]


TERM = "换届"
DIGESTS = [
    # (case, runs before: [(day, items)], last run (day, items), digests, expected lines)
    (
        "two sources: one notice with both items, overdue category first",
        [],
        (DAY1, [item("A", "secretary"), item("T", "secretary", overdue=True, category=TERM)]),
        1,
        {"secretary": ["【换届】", "· 逾期：T事项", "【组织生活】", "· 提醒：A事项"]},
    ),
    (
        "overdue before due inside a category",
        [],
        (DAY1, [item("A", "secretary"), item("B", "secretary", overdue=True)]),
        1,
        {"secretary": ["【组织生活】", "· 逾期：B事项", "· 提醒：A事项"]},
    ),
    (
        "a second run the same day sends nothing",
        [(DAY1, [item("A", "secretary")])],
        (DAY1, [item("A", "secretary"), item("B", "secretary")]),
        0,
        {"secretary": ["【组织生活】", "· 提醒：A事项"]},
    ),
    (
        "next day: only the new item and the one now overdue",
        [(DAY1, [item("A", "secretary"), item("B", "secretary")])],
        (
            DAY2,
            [item("A", "secretary", overdue=True), item("B", "secretary"), item("C", "secretary")],
        ),
        1,
        {"secretary": ["【组织生活】", "· 逾期：A事项", "· 提醒：C事项"]},
    ),
    (
        "next day, nothing changed: no digest",
        [(DAY1, [item("A", "secretary")])],
        (DAY2, [item("A", "secretary")]),
        0,
        {"secretary": ["【组织生活】", "· 提醒：A事项"]},
    ),
    (
        "each user their own items, told once each",
        [(DAY1, [item("A", "secretary")])],
        (DAY2, [item("A", "secretary", "county_officer"), item("B", "county_officer")]),
        1,
        {
            "secretary": ["【组织生活】", "· 提醒：A事项"],
            "county_officer": ["【组织生活】", "· 提醒：A事项", "· 提醒：B事项"],
        },
    ),
]


@pytest.mark.parametrize(
    ("case", "before", "last", "digests", "expected"), DIGESTS, ids=[r[0] for r in DIGESTS]
)
def test_send_digests(tree, case, before, last, digests, expected):
    for day, specs in before:
        send_digests(day, _sources(tree, specs))
    day, specs = last
    sent = Notice.objects.count()
    summary = send_digests(day, _sources(tree, specs))
    assert summary.digests == Notice.objects.count() - sent == digests
    for name, lines in expected.items():
        assert _lines(tree.users[name]) == lines


def test_digest_notice_text_and_records(tree, settings):
    settings.SITE_URL = "https://djgz.example.org"
    specs = [item("A", "secretary"), item("T", "secretary", overdue=True, category=TERM)]
    summary = send_digests(DAY1, _sources(tree, specs))
    assert (summary.reported, summary.told, summary.digests) == (2, 2, 1)
    notice = Notice.objects.get(user=tree.users["secretary"])
    assert (notice.kind, notice.key, notice.url) == ("digest", "digest:2025-06-24", "/x/T/")
    assert notice.get_kind_display() == "每日提醒"
    assert notice.title == "每日提醒（6月24日）：2 项待办，其中逾期 1 项"
    assert notice.body == (
        "截至2025年6月24日，您负责的党组织有以下事项：\n\n"
        "【换届】\n· 逾期：T事项\n  https://djgz.example.org/x/T/\n\n"
        "【组织生活】\n· 提醒：A事项\n  https://djgz.example.org/x/A/\n\n"
        "请按时办理；已办理的请在系统中登记。"
    )
    told = Reminded.objects.values_list("user__username", "key", "what", "day")
    assert sorted(told) == [
        ("secretary", "A", "due", DAY1),
        ("secretary", "T", "overdue", DAY1),
    ]


def test_a_user_with_todays_digest_gets_new_items_tomorrow(tree):
    send_digests(DAY1, _sources(tree, [item("A", "secretary")]))
    assert send_digests(DAY1, _sources(tree, [item("B", "secretary")])).digests == 0
    assert send_digests(DAY2, _sources(tree, [item("B", "secretary")])).digests == 1
    assert _lines(tree.users["secretary"]) == ["【组织生活】", "· 提醒：B事项"]


def test_inactive_users_get_nothing(tree):
    User.objects.filter(username="secretary").update(is_active=False)
    summary = send_digests(DAY1, _sources(tree, [item("A", "secretary")]))
    assert (summary.told, summary.digests) == (0, 0)
    assert not Notice.objects.exists()
    assert not Reminded.objects.exists()


# --- e-mail ------------------------------------------------------------------------------

MAIL = [
    # (case, EMAIL_HOST, users with an address, expected recipients of mail)
    ("mail server and address: inbox and e-mail", "smtp.example.org", ["secretary"], ["secretary"]),
    ("no address: inbox only", "smtp.example.org", [], []),
    ("no mail server: inbox only", "", ["secretary"], []),
]


@pytest.mark.parametrize(("case", "host", "addressed", "mailed"), MAIL, ids=[r[0] for r in MAIL])
def test_digest_email(
    tree, settings, mailoutbox, django_capture_on_commit_callbacks, case, host, addressed, mailed
):
    settings.EMAIL_HOST = host
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for name in addressed:
        User.objects.filter(username=name).update(email=f"{name}@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        send_digests(DAY1, _sources(tree, [item("A", "secretary", "county_officer")]))
    assert Notice.objects.filter(kind="digest").count() == 2
    assert [m.to[0] for m in mailoutbox] == [f"{name}@example.org" for name in mailed]
    for message in mailoutbox:
        notice = Notice.objects.get(user__username="secretary")
        assert message.subject == "[先锋] " + notice.title
        assert message.body.startswith(notice.body)
        assert notice.emailed_at is not None


def test_a_mail_failure_is_logged_and_the_notice_stays(
    tree, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.example.org"
    settings.EMAIL_BACKEND = "tests.notices.test_domain.FailingBackend"
    User.objects.filter(username="secretary").update(email="secretary@example.org")
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        assert send_digests(DAY1, _sources(tree, [item("A", "secretary")])).digests == 1
    assert Notice.objects.get(user=tree.users["secretary"]).emailed_at is None
    assert "通知邮件发送失败" in caplog.text


# --- registry, command, task, queries ----------------------------------------------------


def test_registered_sources():
    names = [f"{s.__module__}.{s.__name__}" for s in reminder_sources()]
    assert names == [
        "xianfeng.orglife.reminders.meeting_reminders",
        "xianfeng.orgs.reminders.term_reminders",
        "xianfeng.supervision.domain.rhythm.calendar_reminders",
        "xianfeng.supervision.reminders.item_reminders",
        "xianfeng.recruitment.reminders.recruitment_reminders",
        "xianfeng.dues.reminders.dues_reminders",
    ]


def test_remind_command_and_task(tree, settings, capsys):
    call_command("remind", "--as-of", "2025-06-24")
    assert "已向 " in capsys.readouterr().out
    count = Notice.objects.count()
    assert count > 0
    assert set(Notice.objects.values_list("kind", flat=True)) == {"digest"}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert remind_task.enqueue("2025-06-24").return_value == 0
    assert Notice.objects.count() == count


def test_remind_command_refuses_a_bad_date():
    with pytest.raises(Exception, match="2025-13-01"):
        call_command("remind", "--as-of", "2025-13-01")


def test_queries_do_not_grow_with_users_and_items(tree):
    def count(day: dt.date, names: list[str]) -> int:
        sources = _sources(tree, [item(f"{day}:{n}", *names) for n in range(len(names))])
        with CaptureQueriesContext(connection) as queries:
            assert send_digests(day, sources).digests == len(names)
        return len(queries)

    small = count(DAY1, ["secretary"])
    for n in range(4):
        make_user(f"officer{n}", org=tree.branch_a, role="officer")
    assert count(DAY2, ["secretary", "county_officer", *(f"officer{n}" for n in range(4))]) == small
