"""The supervision rhythm (TASK-04): the yearly calendar with its monthly reminders, and
the quarterly progress reports of the orgs the policy names."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.compliance.calendar import Calendar
from xianfeng.lib.dates import today
from xianfeng.notices.models import Notice
from xianfeng.supervision.domain import items as item_domain
from xianfeng.supervision.domain import rhythm
from xianfeng.supervision.models import CalendarEntry, ProgressReport
from xianfeng.supervision.queries import rhythm as queries

pytestmark = pytest.mark.django_db


def _calendar(tree, year=2026):
    return rhythm.generate_calendar(tree.town_a, year=year, by=tree.users["county_officer"])


def test_task_04_calendar_has_the_nineteen_steps_of_a_year(tree):
    made = _calendar(tree)
    kinds = [e.kind for e in made]
    assert len(made) == 19
    assert kinds.count("monthly_reminder") == 12 and kinds.count("quarterly_progress") == 4
    assert kinds.count("half_year_inspection") == 2 and kinds.count("annual_evaluation") == 1
    assert all(e.history.count() == 1 for e in CalendarEntry.objects.all())


# (period, date) — monthly: the first workday of the month; quarterly: quarter end + 10
# days (supervision.progress.due_days); H1 in July, H2 and the evaluation next January.
DATES = [
    ("2026-02", dt.date(2026, 2, 2)),  # 1 Feb is a Sunday
    ("2026-03", dt.date(2026, 3, 2)),  # 1 Mar is a Sunday
    ("2026-07", dt.date(2026, 7, 1)),
    ("2026-Q1", dt.date(2026, 4, 10)),
    ("2026-Q4", dt.date(2027, 1, 10)),
    ("2026-H1", dt.date(2026, 7, 1)),
]


@pytest.mark.parametrize(("period", "date"), DATES)
def test_task_04_calendar_dates(tree, period, date):
    _calendar(tree)
    assert CalendarEntry.objects.get(period=period).date == date


def test_task_04_monthly_reminders_fall_on_first_workdays(tree):
    calendar = Calendar()
    for entry in _calendar(tree):
        if entry.kind == "monthly_reminder":
            first = dt.date(entry.date.year, entry.date.month, 1)
            earlier = [first + dt.timedelta(d) for d in range((entry.date - first).days)]
            assert calendar.is_workday(entry.date)
            assert not any(calendar.is_workday(day) for day in earlier)
    h2 = CalendarEntry.objects.get(period="2026-H2")
    annual = CalendarEntry.objects.get(period="2026")
    assert h2.date.year == annual.date.year == 2027 and h2.date < annual.date


def test_task_04_generating_again_adds_nothing(tree):
    _calendar(tree)
    assert _calendar(tree) == []
    assert CalendarEntry.objects.count() == 19


# (year, who, refusal)
BAD_CALENDAR = [
    (1999, "county_officer", "year"),
    (2026, "county_viewer", PermissionDenied),
    (2026, "outsider", "org"),
]


@pytest.mark.parametrize(("year", "who", "expected"), BAD_CALENDAR)
def test_task_04_calendar_refuses(tree, year, who, expected):
    with pytest.raises(ValidationError if isinstance(expected, str) else expected) as caught:
        rhythm.generate_calendar(tree.town_a, year=year, by=tree.users[who])
    if isinstance(expected, str):
        assert expected in caught.value.message_dict
    assert not CalendarEntry.objects.exists()


def test_task_04_marking_a_monthly_reminder_done_tells_the_orgs_below_once(tree):
    _calendar(tree)
    entry = CalendarEntry.objects.get(period="2026-03")
    rhythm.mark_done(entry, by=tree.users["county_officer"], day=dt.date(2026, 3, 2))
    told = set(Notice.objects.filter(kind="reminder").values_list("user__username", flat=True))
    assert told == {"secretary", "county_officer"}  # branch A's admin; the nearest above B2
    with pytest.raises(ValidationError):
        rhythm.mark_done(entry, by=tree.users["county_officer"])
    assert Notice.objects.filter(kind="reminder").count() == 2
    assert rhythm.send_reminder(entry) == 0  # keyed: never twice


def test_task_04_reminder_source_reports_the_month_on_its_date(tree):
    _calendar(tree)
    entry = CalendarEntry.objects.get(period="2026-03")
    assert rhythm.calendar_reminders(dt.date(2026, 3, 1)) == []
    [reminder] = rhythm.calendar_reminders(dt.date(2026, 3, 2))
    assert reminder.key == f"supervision:calendar:{entry.pk}"
    assert set(reminder.recipients) == {
        tree.users["secretary"].pk,
        tree.users["county_officer"].pk,
    }
    assert "3月月度提示" in reminder.title


def test_task_04_calendar_page(client_for, tree):
    client = client_for(tree.users["county_officer"])
    response = client.post("/supervision/orgs/CA-T1/calendar/generate/", {"year": "2026"})
    assert response.status_code == 302
    page = client.get("/supervision/orgs/CA-T1/calendar/?year=2026").content.decode()
    assert "月度提示" in page and "年度考评" in page and "2027-01-10" in page
    bad = client.post("/supervision/orgs/CA-T1/calendar/generate/", {"year": "12"})
    assert bad.status_code == 400


# --- quarterly progress reports -----------------------------------------------------------


def _quarter(day):
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def test_task_04_progress_report_counts_items_closed_in_the_quarter(tree):
    officer, admin = tree.users["county_officer"], tree.users["city_admin"]
    item = item_domain.create_item(
        tree.town_a, kind="task", title="完善党建台账", deadline=today(), by=officer
    )
    item_domain.submit_item(item, evidence="已完善", by=officer)
    item_domain.accept_item(item, by=admin)
    report = rhythm.submit_progress(
        tree.town_a, period=_quarter(today()), work_done="完成台账整理", by=officer
    )
    assert report.items_closed == 1 and report.history.count() == 1
    rows = queries.progress_overview(tree.county_a, today().year, today())
    by_code = {row["org"].code: row for row in rows}
    assert set(by_code) == {"CA", "CA-T1"}  # party committees owe; rural branches do not
    quarter = int(_quarter(today())[-1]) - 1
    assert by_code["CA-T1"]["quarters"][quarter] == report
    assert by_code["CA"]["quarters"][quarter] is None


# (case, org, period, work_done, field)
BAD_REPORTS = [
    ("bad period", "town_a", "2026-Q5", "进展", "period"),
    ("future quarter", "town_a", "2099-Q1", "进展", "period"),
    ("no work done", "town_a", "2026-Q1", " ", "work_done"),
    ("org owes none", "branch_a", "2026-Q1", "进展", "period"),
    ("duplicate", "town_a", "2026-Q1", "进展", "period"),
]


@pytest.mark.parametrize(
    ("case", "org", "period", "work_done", "field"), BAD_REPORTS, ids=[c[0] for c in BAD_REPORTS]
)
def test_task_04_progress_report_refuses(tree, case, org, period, work_done, field):
    officer = tree.users["county_officer"]
    if case == "duplicate":
        rhythm.submit_progress(
            tree.town_a,
            period="2026-Q1",
            work_done="x",
            by=officer,
            submitted_on=dt.date(2026, 4, 2),
        )
    before = ProgressReport.objects.count()
    with pytest.raises(ValidationError) as caught:
        rhythm.submit_progress(
            getattr(tree, org),
            period=period,
            work_done=work_done,
            by=officer,
            submitted_on=dt.date(2026, 4, 5),
        )
    assert field in caught.value.message_dict
    assert ProgressReport.objects.count() == before


def test_task_04_progress_pages(client_for, tree):
    client = client_for(tree.users["county_officer"])
    response = client.post(
        "/supervision/orgs/CA-T1/progress/new/",
        {"period": "2026-Q1", "work_done": "开展主题党日", "problems": "", "next_steps": ""},
    )
    assert response.status_code == 302
    page = client.get("/supervision/orgs/CA/progress/?year=2026").content.decode()
    assert "青山镇党委" in page and "已报送" in page and "未报送" in page
    again = client.post(
        "/supervision/orgs/CA-T1/progress/new/", {"period": "2026-Q1", "work_done": "再报"}
    )
    assert again.status_code == 400 and "2026-Q1 的推进情况已报送" in again.content.decode()
