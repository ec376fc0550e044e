"""Progress towards the yearly targets (DEV-06) and the talent ratio, per org's subtree.

Progress in year Y for an org's subtree (the person's org = person.org, the file's org):
- MEMBER_TO_TALENT: track (a) cultivations DONE with status_since in Y;
- TALENT_ACTIVIST: people with a talent entry who became activists (activist_on) in Y;
- TALENT_MEMBER: people with a talent entry approved (approved_on) in Y;
- PROMOTED: track (c) cultivations DONE in Y;
- ADMISSIONS: people approved in Y (the yearly plan, a ceiling).
Counted from 1 January to `until` (inclusive). The talent ratio on a day: members placed
in the subtree (full or probationary) holding a talent tag open on the day ÷ those members.

`progress_table(org, year)` is the targets page's table (one row per child org and the
org's own total); the rule DEV-06 reads `progress_events` and `rolled_up`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from xianfeng.compliance.policy import resolver
from xianfeng.lib.dates import today
from xianfeng.members.models import MemberTag, TagKind
from xianfeng.members.queries import active_counts_by_org
from xianfeng.orgs.models import Org

from ..models import Cultivation, CultivationStatus, Person, Target, TargetKind, Track

TK = TargetKind
TALENT_RATIO = "recruitment.targets.talent_ratio"
# the track whose files DONE in the year count for a target kind
DONE_TRACKS = {Track.MEMBER_TO_TALENT: TK.MEMBER_TO_TALENT, Track.TALENT_TO_CADRE: TK.PROMOTED}


def person_events(
    person: dict[str, Any], first: dt.date, until: dt.date
) -> Iterable[tuple[str, str]]:
    """(org path, target kind) a person counts for in [first, until]: a row with
    "org__path", "talent_id", "activist_on", "approved_on"."""
    path = person["org__path"]
    approved = person["approved_on"]
    if approved is not None and first <= approved <= until:
        yield path, TK.ADMISSIONS
        if person["talent_id"] is not None:
            yield path, TK.TALENT_MEMBER
    activist = person["activist_on"]
    if person["talent_id"] is not None and activist is not None and first <= activist <= until:
        yield path, TK.TALENT_ACTIVIST


def people_of(orgs_q: Q, first: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """The people of the subtree (`orgs_q` on org__path) activist or approved in
    [first, until] (one query)."""
    dates = Q(activist_on__range=(first, until)) | Q(approved_on__range=(first, until))
    rows = Person.objects.filter(orgs_q).filter(dates)
    fields = ("org__path", "talent_id", "activist_on", "approved_on")
    return [dict(row) for row in rows.values(*fields)]


def cultivation_events(orgs_q: Q, first: dt.date, until: dt.date) -> list[tuple[str, str]]:
    """(org path, target kind) of the files of tracks (a) and (c) DONE in [first, until]
    (one query)."""
    rows = Cultivation.objects.filter(
        orgs_q,
        track__in=list(DONE_TRACKS),
        status=CultivationStatus.DONE,
        status_since__range=(first, until),
    ).values_list("org__path", "track")
    return [(path, str(DONE_TRACKS[Track(track)])) for path, track in rows]


def progress_events(
    orgs_q: Q, first: dt.date, until: dt.date, people: list[dict[str, Any]] | None = None
) -> list[tuple[str, str]]:
    """(org path, target kind) of every event counting towards a target in [first,
    until]; `people` when the caller has read them (the rules' shared fact)."""
    if people is None:
        people = people_of(orgs_q, first, until)
    events = [e for person in people for e in person_events(person, first, until)]
    return events + cultivation_events(orgs_q, first, until)


def rolled_up(events: Iterable[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """Events counted at their org and at every org above it: {(path, kind): n}."""
    return up_the_tree(Counter(events))


def up_the_tree(counts: Mapping[tuple[str, str], int]) -> Counter[tuple[str, str]]:
    """Counts per (org path, kind) added to the org and every org above it."""
    step = Org.steplen
    found: Counter[tuple[str, str]] = Counter()
    for (path, kind), n in counts.items():  # each distinct org once
        for end in range(step, len(path) + 1, step):
            found[(path[:end], kind)] += n
    return found


def talented_members(org: Org, day: dt.date) -> tuple[Counter[str], Counter[str]]:
    """Members placed in `org`'s subtree on `day` (full or probationary), and those of
    them holding a talent tag open on the day, counted at their org and every org above
    it: (members, talented), each {path: n}. One read grouped by org id
    (`active_counts_by_org`: the status spells and the tags as subqueries, SQLite walking
    the placements in org order), the orgs' paths a second."""
    tags = MemberTag.objects.filter(kind=TagKind.TALENT, since__lte=day).exclude(until__lte=day)
    counts = active_counts_by_org(day, Q(org__path__startswith=org.path), tags.values("member_id"))
    paths = dict(Org.objects.filter(path__startswith=org.path).values_list("pk", "path"))
    members: dict[tuple[str, str], int] = {}
    talented: dict[tuple[str, str], int] = {}
    for org_id, (n, tagged) in counts.items():
        members[(paths[org_id], "")], talented[(paths[org_id], "")] = n, tagged
    return _by_path(up_the_tree(members)), _by_path(up_the_tree(talented))


def _by_path(counts: Counter[tuple[str, str]]) -> Counter[str]:
    return Counter({path: n for (path, _kind), n in counts.items()})


@dataclass
class ProgressRow:
    """One org's targets and progress in a year: `targets` {kind: value} (kinds without
    a target left out), `progress` {kind: n} for every kind, the members and the talented
    among them on the table's day, `talent_ratio` (None without members)."""

    org_id: int
    code: str
    name: str
    path: str
    targets: dict[str, int] = field(default_factory=dict)
    progress: dict[str, int] = field(default_factory=dict)
    members: int = 0
    talented: int = 0

    @property
    def talent_ratio(self) -> float | None:
        return self.talented / self.members if self.members else None


@dataclass
class ProgressTable:
    """The targets-vs-progress table of an org for a year: `rows` per child org, `total`
    the org itself; `talent_ratio_target` from the policy (0: none set)."""

    year: int
    day: dt.date
    total: ProgressRow
    rows: list[ProgressRow]
    talent_ratio_target: float
    kinds: list[tuple[str, str]]


def table_day(year: int) -> dt.date:
    """The day a year's table is read on: today in the year in progress, else 31 Dec."""
    return min(today(), dt.date(year, 12, 31))


def progress_table(org: Org, year: int, *, day: dt.date | None = None) -> ProgressTable:
    """Per child org of `org` (existing in the year) and for `org` itself: its targets of
    `year`, its subtree's progress by `day` (default `table_day`) and its talent ratio
    on `day` (a handful of queries whatever the size of the tree)."""
    day = day or table_day(year)
    first = dt.date(year, 1, 1)
    children = list(
        Org.objects.filter(path__startswith=org.path, depth=org.depth + 1)
        .exclude(dissolved_on__lt=first)
        .exclude(founded_on__gt=day)
        .order_by("path")
        .values_list("pk", "code", "name", "path")
    )
    rows = [ProgressRow(pk, code, name, path) for pk, code, name, path in children]
    total = ProgressRow(org.pk, org.code, org.name, org.path)
    by_id = {row.org_id: row for row in [total, *rows]}
    targets = Target.objects.filter(org_id__in=list(by_id), year=year)
    for org_id, kind, value in targets.values_list("org_id", "kind", "value"):
        by_id[org_id].targets[kind] = value
    orgs_q = Q(org__path__startswith=org.path)
    counted = rolled_up(progress_events(orgs_q, first, day))
    members, talented = talented_members(org, day)
    for row in by_id.values():
        row.progress = {kind: counted.get((row.path, kind), 0) for kind in TK.values}
        row.members, row.talented = members.get(row.path, 0), talented.get(row.path, 0)
    target = resolver(day=day).value(TALENT_RATIO, org.path)
    return ProgressTable(
        year, day, total, rows, float(target), [(str(k), str(label)) for k, label in TK.choices]
    )
