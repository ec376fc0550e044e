"""LIFE-01 … LIFE-05 records of the demo: meetings, lessons, attendance and exemptions of
the last full year and this year to date, drawn from the `life` stream; the deliberate
gaps go to `life_gaps`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection

from xianfeng.compliance.calendar import Calendar
from xianfeng.core.demo import DemoContext, DemoPart, month_end, words
from xianfeng.members.demo import Person, SeatPlan
from xianfeng.members.models import Category, Status
from xianfeng.orglife.models import (
    Attachment,
    Attendance,
    AttendanceStatus,
    Exemption,
    LeaveRequest,
    Meeting,
    MeetingKind,
    MeetingStatus,
    RequestStatus,
)
from xianfeng.orgs.demo import OrgPlan
from xianfeng.orgs.models import MEMBER_KINDS, Level, OrgKind, SeatRole, Sector

K, L, S, C, M = OrgKind, Level, Sector, Category, MeetingKind


# LIFE records (LIFE-01 … LIFE-05)
LIFE_TOPICS: dict[str, tuple[str, ...]] = {
    M.THEME_DAY: words("主题党日：学习党的创新理论 主题党日：志愿服务 主题党日：重温入党誓词"),
    M.GENERAL_MEETING: words("通报支部工作 讨论发展党员 民主评议党员 传达上级会议精神"),
    M.COMMITTEE_MEETING: words("研究本月工作 研究发展党员 研究党费收缴 研究主题党日安排"),
    M.PARTY_GROUP_MEETING: words("学习党章 交流思想 学习上级文件"),
    M.PARTY_LESSON: words("学习党的二十大精神 加强党性修养 严守纪律规矩 弘扬优良作风"),
    M.LIFE_MEETING: words("年度组织生活会 专题组织生活会"),
    M.LEADERSHIP_LIFE_MEETING: words("年度民主生活会 专题民主生活会"),
}
LIFE_PLACES: dict[str, str] = {M.THEME_DAY: "党群服务中心", M.LEADERSHIP_LIFE_MEETING: "会议室"}
OFF_DAY_REASONS = ("农忙时节，经支委会研究调整", "上级集中培训，调整时间", "防汛值守，顺延开展")


LIFE_MODELS = (Attendance, LeaveRequest, Attachment, Exemption, Meeting)


def delete_life_demo() -> None:
    """Organizational life of the previous demo, with plain DELETEs (millions of
    attendance rows at city scale; the ORM would collect them one by one)."""
    tables = [*LIFE_MODELS, *(m.history.model for m in LIFE_MODELS)]  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table._meta.db_table)}")


def _delete_rows(model: Any, ids: list[int]) -> int:
    """Delete rows by id with a plain DELETE: attendance is loaded without history rows,
    and the ORM's delete would add a "-" history row for each."""
    if ids:
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(ids))})", ids)
    return len(ids)


@dataclass(eq=False, slots=True)
class Stay:
    """A member in an org as a full or probationary member, [start, end)."""

    person: Person
    start: dt.date
    end: dt.date | None
    full_on: dt.date | None


class LifeBuilder(DemoPart):
    """Plans and saves a block's organizational life (`save_life`); also what
    `affairs.save_affairs` and the study builder read (`stays`, `absent`, `gaibei`)."""

    def __init__(self, ctx: DemoContext, orgs: list[OrgPlan], office_orgs: set[int]):
        super().__init__(ctx)
        self.orgs, self.office_orgs = orgs, office_orgs
        self.life = ctx.stream("life")
        # LIFE-05 late (issue 23): which branch holds the last full year's life meeting
        # late, its day and its attendance, drawn apart so the other rows stay as they were
        self.late = ctx.stream("life.late")
        self.late_pending = True  # one late life meeting per run
        # the late meeting as it would have been (day, roster): its attendance draws from
        # `life` are still made, and dropped, so every later row stays as it was
        self.shadow: tuple[Meeting, list[tuple[Any, bool]]] | None = None
        self.affairs = ctx.stream("affairs")  # LIFE-07/08: orglife.demo.affairs
        self.life_gaps: list[tuple[str, str]] = []
        self.meetings: list[tuple[Meeting, list[tuple[Any, bool]], str]] = []
        self.attendance = 0
        self.absent: dict[int, tuple[dt.date, dt.date]] = {}
        self.away: dict[int, tuple[dt.date, dt.date]] = {}  # `_away`: a member working away
        self.gaibei: str | None = None  # the path of the subtree seed 004 goes on
        self._find_gaibei()
        self.calendar = Calendar()

    def _lday(self, low: dt.date, high: dt.date) -> dt.date:
        return low + dt.timedelta(days=self.life.randint(0, max(0, (high - low).days)))

    def life_gap(self, plan: OrgPlan, note: str) -> None:
        self.life_gaps.append((plan.code, note))

    def _find_gaibei(self) -> None:
        """The subtree seed 004 goes on (`_attach_policies`): the root at town scale, else
        the first town's party committee in path order."""
        if self.scale == "town":
            self.gaibei = self.orgs[0].path
            return
        towns = [p for p in self.orgs if p.level == L.TOWN and p.kind == K.PARTY_COMMITTEE]
        self.gaibei = towns[0].path if towns else None

    def _months(self) -> list[tuple[int, int]]:
        first = self.as_of.year - 1
        return [
            (year, month)
            for year in (first, first + 1)
            for month in range(1, 13)
            if dt.date(year, month, 1) <= self.as_of
        ]

    def stays(self, persons: list[Person]) -> dict[OrgPlan, list[Stay]]:
        """Per org, its members with the days they were placed there as full or
        probationary members ([start, end) like placements and spells)."""
        stays: dict[OrgPlan, list[Stay]] = {}
        active = (Status.FULL, Status.PROBATIONARY)
        for p in persons:
            joined = p.spells[0][1]
            ended = next((s[1] for s in p.spells if s[0] not in active), None)
            left = p.spells[-1][1] if p.member.status == Status.LEFT else None
            places = [(p.org, p.start, left)]
            if p.prior is not None and p.prior_start is not None:
                places.insert(0, (p.prior, p.prior_start, p.start))
            for org, start, end in places:
                start = max(start, joined)
                end = min(d for d in (end, ended) if d is not None) if (end or ended) else None
                if end is None or start < end:
                    stays.setdefault(org, []).append(Stay(p, start, end, p.member.full_on))
        return stays

    def _roster(self, stays: list[Stay], day: dt.date, group: int = 0) -> list[tuple[Any, bool]]:
        return [
            (s.person, s.full_on is not None and s.full_on <= day)
            for s in stays
            if s.start <= day
            and (s.end is None or day < s.end)
            and (not group or s.person.member.party_group_id == group)
        ]

    def _holders(self, seats: list[SeatPlan], day: dt.date) -> list[tuple[Any, bool]]:
        """Seat holders on `day` (a seat ends after its last day), each once."""
        found: dict[int, tuple[Any, bool]] = {}
        for s in seats:
            if s.started_on <= day and (s.ended_on is None or s.ended_on >= day):
                full = s.person.member.full_on
                found[id(s.person)] = (s.person, full is not None and full <= day)
        return list(found.values())

    def _meeting(
        self,
        org: OrgPlan,
        kind: str,
        day: dt.date,
        roster: list[tuple[Any, bool]],
        *,
        host: Person | None = None,
        mode: str = "",
        **fields: Any,
    ) -> None:
        topic = self.life.choice(LIFE_TOPICS[kind])
        meeting = Meeting(
            org_id=org.pk,
            kind=kind,
            status=MeetingStatus.HELD,
            held_on=day,
            starts_at=fields.pop("starts_at", dt.time(9, 0) if kind != M.THEME_DAY else None),
            topic=f"{day.month}月{topic}" if kind == M.THEME_DAY else topic,
            place=LIFE_PLACES.get(kind, "党员活动室"),
            host_id=host.member.pk if host else None,
            **fields,
        )
        self.meetings.append((meeting, roster, mode))

    def _secretary(self, seats: list[SeatPlan], day: dt.date) -> Person | None:
        return next(
            (
                s.person
                for s in seats
                if s.role == SeatRole.SECRETARY
                and s.started_on <= day
                and (s.ended_on is None or s.ended_on >= day)
            ),
            None,
        )

    def plan_life(self, orgs: list[OrgPlan], persons: list[Person], seats: list[SeatPlan]):  # type: ignore[no-untyped-def]
        """Meetings of the last full year and this year to date (LIFE-01 … LIFE-05) with
        their rosters; the deliberate gaps go to `life_gaps`."""
        self.meetings = []
        stays = self.stays(persons)
        by_org: dict[OrgPlan, list[SeatPlan]] = {}
        for seat in seats:
            by_org.setdefault(seat.org, []).append(seat)
        branches = [o for o in orgs if o.kind in MEMBER_KINDS]
        wrong = self.life.choice(branches) if branches else None  # lesson by a non-secretary
        missing = self.life.choice(branches) if branches else None  # no life meeting
        late = self._late_branch(branches, missing)
        for org in orgs:
            own, members = by_org.get(org, []), stays.get(org, [])
            if org.kind in MEMBER_KINDS:
                self._theme_days(org, members)
                self._general_meetings(org, members, own)
                self._life_meeting(org, members, own, org is missing, org is late)
            if org.kind == K.PARTY_GROUP and org.parent is not None:
                self._group_meetings(org, stays.get(org.parent, []))
            if org.kind in MEMBER_KINDS or org.kind == K.GENERAL_BRANCH:
                self._committee_meetings(org, own)
                self._lesson(org, members, own, org is wrong)
            if org.kind in (K.PARTY_COMMITTEE, K.GENERAL_BRANCH):
                self._leadership_life_meeting(org, own)
        self._cadre_lessons(persons, stays)
        no_quorum = [m for m in self.meetings if m[0].kind == M.GENERAL_MEETING and len(m[1]) >= 6]
        if no_quorum:
            index = self.meetings.index(self.life.choice(no_quorum))
            meeting, roster, _mode = self.meetings[index]
            self.meetings[index] = (meeting, roster, "no_quorum")
            org = next(o for o in orgs if o.obj is not None and o.pk == meeting.org_id)
            self.life_gap(org, f"{meeting.held_on}党员大会未达到法定人数（会议无效）")
        return stays

    def _theme_days(self, org: OrgPlan, members: list[Stay]) -> None:
        """Monthly; in seed 004's subtree a rural branch meets on the 5th (the next workday
        when that is a holiday), an organ or institution on a Saturday or Monday evening."""
        rng = self.life
        fixed = self.gaibei is not None and org.path.startswith(self.gaibei)
        for year, month in self._months():
            first = dt.date(year, month, 1)
            if rng.random() < 0.012:
                self.life_gap(org, f"{year}年{month}月未开展主题党日")
                continue
            fields: dict[str, Any] = {}
            if fixed and org.sector == S.RURAL:
                due = dt.date(year, month, 5)
                day = self.calendar.shift(due, 1)
                if (day - due).days > 7:
                    fields["off_day_reason"] = "节假日顺延"
                r = rng.random()
                if r < 0.03:
                    day = dt.date(year, month, rng.randint(15, 25))
                    if day <= self.as_of:
                        self.life_gap(org, f"{year}年{month}月主题党日未在5日开展且未说明原因")
                elif r < 0.06:
                    day = dt.date(year, month, rng.randint(10, 20))
                    fields["off_day_reason"] = rng.choice(OFF_DAY_REASONS)
            elif fixed and org.sector in (S.GOVERNMENT, S.INSTITUTION):
                days = [first + dt.timedelta(days=i) for i in range(28)]
                day = rng.choice([d for d in days if d.weekday() in (0, 5)])
                if day.weekday() == 0:
                    fields["starts_at"] = dt.time(19, 0)
            else:
                day = self._lday(first, first + dt.timedelta(days=19))
            if day <= self.as_of:
                self._meeting(org, M.THEME_DAY, day, self._roster(members, day), **fields)

    def _general_meetings(self, org: OrgPlan, members: list[Stay], own: list[SeatPlan]) -> None:
        for year, month in self._months():
            if month % 3:
                continue
            low = dt.date(year, month - 2, 1)
            day = self._lday(low, month_end(dt.date(year, month, 1)))
            if self.life.random() < 0.015:
                self.life_gap(org, f"{year}年第{month // 3}季度未召开党员大会")
            elif day <= self.as_of:
                roster = self._roster(members, day)
                host = self._secretary(own, day)
                self._meeting(org, M.GENERAL_MEETING, day, roster, host=host)

    def _committee_meetings(self, org: OrgPlan, own: list[SeatPlan]) -> None:
        """Monthly where at least three people hold seats on the month's last day."""
        for year, month in self._months():
            last = month_end(dt.date(year, month, 1))
            if len(self._holders(own, min(last, self.as_of))) < 3:
                continue
            day = self._lday(dt.date(year, month, 1), last)
            if self.life.random() < 0.015:
                self.life_gap(org, f"{year}年{month}月未召开支委会")
            elif day <= self.as_of:
                roster = self._holders(own, day)
                self._meeting(org, M.COMMITTEE_MEETING, day, roster, host=self._secretary(own, day))

    def _group_meetings(self, group: OrgPlan, members: list[Stay]) -> None:
        for year, month in self._months():
            first = dt.date(year, month, 1)
            day = self._lday(first, month_end(first))
            if self.life.random() < 0.02:
                self.life_gap(group, f"{year}年{month}月未召开党小组会")
            elif day <= self.as_of:
                roster = self._roster(members, day, group.pk)
                self._meeting(group, M.PARTY_GROUP_MEETING, day, roster)

    def _lesson(self, org: OrgPlan, members: list[Stay], own: list[SeatPlan], wrong: bool) -> None:
        """The secretary's lesson, once a year (one branch of the block: someone else's)."""
        for year in (self.as_of.year - 1, self.as_of.year):
            day = self._lday(dt.date(year, 6, 1), dt.date(year, 7, 15))
            if day > self.as_of:
                continue
            roster = self._roster(members, day) if members else self._holders(own, day)
            lecturer = self._secretary(own, day)
            if wrong and year < self.as_of.year:
                others = [p for p, _v in roster if p is not lecturer]
                lecturer = self.life.choice(others) if others else None
                self.life_gap(org, f"{year}年党课由非书记党员讲授，书记未讲党课")
            elif lecturer is None and year < self.as_of.year:
                self.life_gap(org, f"{year}年无在任书记，书记讲党课缺")
            self._meeting(
                org,
                M.PARTY_LESSON,
                day,
                roster,
                lecturer_id=lecturer.member.pk if lecturer else None,
                starts_at=dt.time(15, 0),
            )

    def _cadre_lessons(self, persons: list[Person], stays: dict[OrgPlan, list[Stay]]) -> None:
        """Leading cadres lecture once a year in their own branch (a few do not)."""
        for p in persons:
            if not p.member.leading_cadre or p.member.status not in (Status.FULL,):
                continue
            for year in (self.as_of.year - 1, self.as_of.year):
                day = self._lday(dt.date(year, 3, 1), dt.date(year, 11, 30))
                if self.life.random() < 0.05 or day > self.as_of or day < p.start:
                    continue
                roster = self._roster(stays.get(p.org, []), day)
                self._meeting(
                    p.org,
                    M.PARTY_LESSON,
                    day,
                    roster,
                    lecturer_id=p.member.pk,
                    starts_at=dt.time(15, 0),
                )

    def _late_window(self) -> tuple[dt.date, dt.date] | None:
        """Days after the last full year's due date (national grace: to the end of
        February) and by as_of, up to the end of April; None before 1 March."""
        first = dt.date(self.as_of.year, 3, 1)
        last = min(self.as_of, dt.date(self.as_of.year, 4, 30))
        return (first, last) if first <= last else None

    def _late_branch(self, branches: list[OrgPlan], missing: OrgPlan | None) -> OrgPlan | None:
        """The one branch of the run that holds the last full year's life meeting late."""
        held = [b for b in branches if b is not missing]
        if not self.late_pending or not held or self._late_window() is None:
            return None
        self.late_pending = False
        return self.late.choice(held)

    def _life_meeting(
        self, org: OrgPlan, members: list[Stay], own: list[SeatPlan], missing: bool, late: bool
    ) -> None:
        """The last full year's, in December or January (for_period that year); one branch
        of the block holds none, one of the run holds it late (after its due date, with a
        reason); a few hold this year's around 1 July."""
        last = self.as_of.year - 1
        if missing:
            self.life_gap(org, f"{last}年度未召开组织生活会")
        else:
            day = min(self._lday(dt.date(last, 12, 1), dt.date(last + 1, 1, 31)), self.as_of)
            fields: dict[str, Any] = {"for_period": str(last)}
            if late:
                shadow = Meeting(kind=M.LIFE_MEETING, held_on=day)
                self.shadow = (shadow, self._roster(members, day))
                window = cast(tuple[dt.date, dt.date], self._late_window())
                span = (window[1] - window[0]).days
                day = window[0] + dt.timedelta(days=self.late.randint(0, span))
                fields |= {"period_reason": "书记外出学习，经上级党委同意推迟召开", "mode": "late"}
                self.life_gap(org, f"{last}年度组织生活会逾期召开（{day}）")
            roster = self._roster(members, day)
            host = self._secretary(own, day)
            self._meeting(org, M.LIFE_MEETING, day, roster, host=host, **fields)
        day = self._lday(dt.date(last + 1, 6, 20), dt.date(last + 1, 7, 10))
        if self.life.random() < 0.15 and day <= self.as_of:
            roster = self._roster(members, day)
            self._meeting(org, M.LIFE_MEETING, day, roster, for_period=str(last + 1))

    def _leadership_life_meeting(self, org: OrgPlan, own: list[SeatPlan]) -> None:
        last = self.as_of.year - 1
        day = min(self._lday(dt.date(last, 12, 10), dt.date(last + 1, 2, 10)), self.as_of)
        roster = self._holders(own, day)
        host = self._secretary(own, day)
        self._meeting(org, M.LEADERSHIP_LIFE_MEETING, day, roster, host=host, for_period=str(last))

    def _patterns(self, persons: list[Person], stays: dict[OrgPlan, list[Stay]]):  # type: ignore[no-untyped-def]
        """A few members absent for a while (3+ meetings in a row), a few with no
        organizational life for 6+ months, a few frail ones exempted from theme days."""
        rng, jan1 = self.life, dt.date(self.as_of.year - 1, 1, 1)
        steady = [
            s.person
            for org, rows in stays.items()
            if org.kind in MEMBER_KINDS and len(rows) >= 10
            for s in rows
            if s.start <= jan1
            and s.end is None
            and not s.person.seated
            and s.person.member.status == Status.FULL
        ]
        picks = rng.sample(steady, min(len(steady), 9))
        absent: dict[int, tuple[dt.date, dt.date]] = {}
        for i, p in enumerate(picks[:6]):
            if i < 3:  # no organizational life since some day 7–10 months ago
                since = self.as_of - dt.timedelta(days=rng.randint(215, 300))
                absent[id(p)] = (since, self.as_of)
                self.life_gap(p.org, f"党员{p.member.name}自{since}起未参加组织生活")
            else:  # absent for about three months
                end = self._lday(jan1 + dt.timedelta(days=120), self.as_of - dt.timedelta(days=10))
                absent[id(p)] = (end - dt.timedelta(days=95), end)
                self.life_gap(p.org, f"党员{p.member.name}{end}前连续缺席组织生活")
        self.away = self._away(picks[6:7])
        frail = [
            p for p in persons if p.member.category == C.FRAIL and p.member.status == Status.FULL
        ]
        exempted = {id(p): p for p in rng.sample(frail, min(len(frail), 3))}
        exemptions = [
            Exemption(
                member_id=p.member.pk,
                kind=M.THEME_DAY,
                reason=rng.choice(("年老体弱，行动不便", "长期患病卧床", "高龄独居，行动不便")),
                starts_on=jan1 - dt.timedelta(days=rng.randint(30, 400)),
                status=RequestStatus.APPROVED,
                decided_at=self.now,
            )
            for p in exempted.values()
        ]
        return absent, set(exempted), exemptions

    def _away(self, picks: list[Person]) -> dict[int, tuple[dt.date, dt.date]]:
        """A member gone to work in another province from June of last year to the Spring
        Festival, without asking for leave: absent from every meeting in between (LIFE-01
        and LIFE-04 in the last full year). The member is the spare seventh pick of
        `_patterns`; the dates come from the `cases` stream, and the attendance draws are
        made as for everyone, so the rest of the `life` stream is unchanged."""
        if not picks:
            return {}
        cases, last = self.ctx.stream("cases:life"), self.as_of.year - 1
        start = dt.date(last, 6, 1) + dt.timedelta(days=cases.randint(0, 20))
        end = dt.date(last + 1, 1, 20) + dt.timedelta(days=cases.randint(0, 20))
        person = picks[0]
        note = f"党员{person.member.name}{start}至{end}外出务工，未请假，未参加组织生活"
        self.life_gap(person.org, note)
        return {id(person): (start, min(end, self.as_of))}

    def save_life(self, orgs: list[OrgPlan], persons: list[Person], seats: list[SeatPlan]) -> None:
        stays = self.plan_life(orgs, persons, seats)
        absent, exempted, exemptions = self._patterns(persons, stays)
        self.absent = absent  # orglife.demo.affairs keeps their talks out of these windows
        self.insert.objects(Exemption, exemptions)
        self.insert.objects(Meeting, [m for m, _r, _mode in self.meetings])
        rows: list[tuple[int, int, str, bool, str]] = []
        for meeting, roster, mode in self.meetings:
            if mode == "late" and self.shadow is not None:
                self._attendance(*self.shadow, "", absent, exempted)  # draws kept in step
            rows += self._attendance(meeting, roster, mode, absent, exempted)
            if len(rows) >= 100_000:
                self._save_attendance(rows)
                rows = []
        self._save_attendance(rows)
        self.meetings = []

    def follow_seats(self, changes: list[tuple[SeatPlan, SeatPlan | None]]) -> None:
        """The committee's meetings after a seat changed hands late (`MemberBuilder.
        plan_seat_cases`): the one who left is off their rosters from the day after the
        last day, the successor on them (present) from the first. No draws."""
        kinds = (M.COMMITTEE_MEETING, M.LEADERSHIP_LIFE_MEETING)
        rows: list[tuple[int, int, str, bool, str]] = []
        for old, new in changes:
            meetings = Meeting.objects.filter(org_id=old.org.pk, kind__in=kinds)
            after = meetings.filter(held_on__gt=old.ended_on).values_list("pk", flat=True)
            gone = Attendance.objects.filter(
                meeting__in=list(after), member_id=old.person.member.pk
            ).values_list("pk", flat=True)
            self.attendance -= _delete_rows(Attendance, list(gone))
            if new is not None:
                since = meetings.filter(held_on__gte=new.started_on).values_list("pk", flat=True)
                member = new.person.member.pk
                rows += [(pk, member, AttendanceStatus.PRESENT, True, "") for pk in since]
        self._save_attendance(rows)

    def _is_away(self, person: Person, day: dt.date) -> bool:
        window = self.away.get(id(person))
        return window is not None and window[0] <= day <= window[1]

    def _save_attendance(self, rows: list[tuple[int, int, str, bool, str]]) -> None:
        """Plain rows without history: a city holds millions (the demo's history of them
        would double the load time and tells nothing)."""
        self.insert.rows(Attendance, ["meeting", "member", "status", "voting", "note"], rows)
        self.attendance += len(rows)

    def _attendance(
        self,
        meeting: Meeting,
        roster: list[tuple[Any, bool]],
        mode: str,
        absent: dict[int, tuple[dt.date, dt.date]],
        exempted: set[int],
    ) -> list[tuple[int, int, str, bool, str]]:
        stream = self.late if mode == "late" else self.life
        rng, day = stream.random, cast(dt.date, meeting.held_on)
        A = AttendanceStatus  # noqa: N806
        statuses: list[str] = []
        for person, _voting in roster:
            window = absent.get(id(person))
            if window is not None and window[0] <= day <= window[1]:
                statuses.append(A.ABSENT)
            elif meeting.kind == M.THEME_DAY and id(person) in exempted:
                statuses.append(A.EXEMPTED)
            elif mode == "no_quorum":
                statuses.append(A.PRESENT if rng() < 0.35 else A.ABSENT)
            else:
                r = rng()
                statuses.append(A.LEAVE if r < 0.05 else A.ABSENT if r < 0.08 else A.PRESENT)
            if statuses[-1] != A.EXEMPTED and self._is_away(person, day):
                statuses[-1] = A.ABSENT
        voters = [i for i, (_p, voting) in enumerate(roster) if voting]
        present = sum(statuses[i] == A.PRESENT for i in voters)
        if meeting.kind == M.GENERAL_MEETING:
            flips = [
                i
                for i in voters
                if statuses[i] != A.PRESENT and not self._is_away(roster[i][0], day)
            ]
            if mode == "no_quorum":
                while present * 2 > len(voters):  # under half: the meeting does not count
                    i = next(i for i in voters if statuses[i] == A.PRESENT)
                    statuses[i], present = A.ABSENT, present - 1
            else:  # every other general meeting reaches its quorum
                flips.sort(key=lambda i: id(roster[i][0]) in absent)
                while present * 2 <= len(voters) and flips:
                    statuses[flips.pop(0)] = A.PRESENT
                    present += 1
        return [
            (meeting.pk, person.member.pk, status, voting, "")
            for (person, voting), status in zip(roster, statuses, strict=True)
        ]
