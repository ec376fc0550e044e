"""DEV-03: the yearly trainings of the cultivations (三培养).

Judged: the cultivations active on `day` (the period's last day, or as-of if earlier):
started by then, and still active or finished after it. Track (a), member to talent:
trainings = training classes held (status held) that started in the year by `day` and
the member attended, plus the file's entries of kind TRAINING in the year by `day` (an
entry naming a class the member attended counts once); at least
recruitment.cultivation.member_to_talent_trainings. Track (b), talent to member: the
file's entries of kind THEORY, at least talent_to_member_sessions. A value of 0 is not
checked. While the year is in progress only a file with none at all is reported, from
1 July; after the year the full count. One finding per org of the files. Three queries
(files, their entries, the attendances).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Q, QuerySet

from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.members.queries import FEW
from xianfeng.study.models import Enrollment, EnrollmentStatus, TrainingStatus

from ..models import Cultivation, CultivationEntry, CultivationStatus, EntryKind, Track
from .parts import cited

TRAININGS = "recruitment.cultivation.member_to_talent_trainings"
SESSIONS = "recruitment.cultivation.talent_to_member_sessions"
KEYS = {Track.MEMBER_TO_TALENT: TRAININGS, Track.TALENT_TO_MEMBER: SESSIONS}


def active_on_q(day: dt.date, prefix: str = "") -> Q:
    """Cultivations active on `day`: started by then, still active or finished after."""
    return Q(**{f"{prefix}started_on__lte": day}) & (
        Q(**{f"{prefix}status": CultivationStatus.ACTIVE}) | Q(**{f"{prefix}status_since__gt": day})
    )


def _files(ctx: Context, day: dt.date, tracks: list[str]) -> list[dict[str, Any]]:
    rows = Cultivation.objects.filter(ctx.path_q("org__path"), active_on_q(day), track__in=tracks)
    return [dict(row) for row in rows.order_by("pk").values("id", "org_id", "track", "member_id")]


def counts(
    ctx: Context, files: list[dict[str, Any]], first: dt.date, day: dt.date
) -> dict[int, int]:
    """Trainings (track a) or theory sessions (track b) of each file from `first` to
    `day` (two queries: the entries of the files, named by id when they are few, else
    those of the files active in the subtree, joined; and the attendances of track (a)'s
    members)."""
    wanted = {f["id"] for f in files}
    entries = CultivationEntry.objects.filter(on__gte=first, on__lte=day).filter(
        Q(cultivation__track=Track.MEMBER_TO_TALENT, kind=EntryKind.TRAINING)
        | Q(cultivation__track=Track.TALENT_TO_MEMBER, kind=EntryKind.THEORY)
    )
    if len(wanted) <= FEW:  # a branch re-checked: not the city's entries of the year
        entries = entries.filter(cultivation_id__in=sorted(wanted))
    else:
        entries = entries.filter(
            ctx.path_q("cultivation__org__path"), active_on_q(day, "cultivation__")
        )
    seen: dict[int, set[Any]] = defaultdict(set)
    for pk, file_id, class_id in entries.values_list("pk", "cultivation_id", "training_class_id"):
        if file_id in wanted:
            seen[file_id].add(("class", class_id) if class_id else ("entry", pk))
    members = {f["member_id"]: f["id"] for f in files if f["track"] == Track.MEMBER_TO_TALENT}
    among = None
    if len(members) > FEW:  # the members of the subtree's track (a) files, as a subquery
        track_a = Cultivation.objects.filter(
            ctx.path_q("org__path"), active_on_q(day), track=Track.MEMBER_TO_TALENT
        )
        among = track_a.values("member_id")
    for member_id, class_id in attended_classes(members, first, day, among):
        if member_id in members:
            seen[members[member_id]].add(("class", class_id))
    return {file_id: len(found) for file_id, found in seen.items()}


def attended_classes(
    members: Iterable[int], first: dt.date, day: dt.date, among: QuerySet[Any] | None = None
) -> list[tuple[int, int]]:
    """(member, class) of the held training classes started from `first` to `day` that
    `members` attended: named by id when they are few, else those of `among` (a subquery
    of member ids including them: a city's track (a) files), else every member's."""
    ids = list(members)
    if not ids:
        return []
    attended = Enrollment.objects.filter(
        status=EnrollmentStatus.ATTENDED,
        training_class__status=TrainingStatus.HELD,
        training_class__starts_on__gte=first,
        training_class__starts_on__lte=day,
    )
    if len(ids) <= FEW:
        attended = attended.filter(member_id__in=ids)
    elif among is not None:
        attended = attended.filter(member_id__in=among)
    return list(attended.values_list("member_id", "training_class_id"))


def _needs(ctx: Context) -> dict[int, dict[str, dict[str, Any]]]:
    """Per org of the run, the policy entries of the tracks it checks ({track: entry}; a
    value of 0 is not checked, an org checking none left out), read once per policy."""
    per_policy: dict[int, dict[str, dict[str, Any]]] = {}
    needs: dict[int, dict[str, dict[str, Any]]] = {}
    for org in ctx.orgs():
        policy = ctx.policy.at(org["path"])
        if id(policy) not in per_policy:
            keys = KEYS.items()
            per_policy[id(policy)] = {str(t): policy.entry(k) for t, k in keys if policy.value(k)}
        if per_policy[id(policy)]:
            needs[org["id"]] = per_policy[id(policy)]
    return needs


@rule(
    "DEV-03",
    title="“三培养”对象按年度培训和学习",
    text="把党员培养成人才的培养对象每年参加四次以上培训；把人才培养成党员的培养对象"
    "每年两次以上学习党的基本理论、基本路线和基本知识（次数按政策）。年度中期仍无一次、"
    "年度结束未达次数的为问题。",
    source="seed 001 §4.2.1、§4.2.2",
    period="year",
    severity="error",
    local=True,
)
def dev_03_cultivation_trainings(ctx: Context) -> Iterator[Found]:
    """Per org, its cultivations active on `day` with too few trainings or theory
    sessions in the year (DEV-03)."""
    day, first = ctx.day, ctx.period.start
    in_progress = ctx.as_of < ctx.period.end
    if in_progress and day < dt.date(first.year, 7, 1):
        return
    needs = _needs(ctx)
    if not needs:
        return
    tracks = {track for entries in needs.values() for track in entries}
    files = [
        f for f in _files(ctx, day, sorted(tracks)) if f["track"] in needs.get(f["org_id"], {})
    ]
    if not files:
        return
    done = counts(ctx, files, first, day)
    short: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for file in files:
        need = needs[file["org_id"]][file["track"]]["value"]
        n = done.get(file["id"], 0)
        if (n == 0) if in_progress else (n < need):
            short[file["org_id"]].append(
                {"cultivation": file["id"], "times": n, "track": file["track"]}
            )
    for org_id, rows in short.items():
        entries = needs[org_id]
        message = f"{len(rows)}个培养对象本年度培训或理论学习次数不足"
        if in_progress:
            message = f"{len(rows)}个培养对象本年度上半年结束后仍未参加培训或理论学习"
        evidence: dict[str, Any] = {"cultivations_short": rows}
        if Track.MEMBER_TO_TALENT in entries:
            evidence["trainings_needed"] = entries[Track.MEMBER_TO_TALENT]["value"]
        if Track.TALENT_TO_MEMBER in entries:
            evidence["sessions_needed"] = entries[Track.TALENT_TO_MEMBER]["value"]
        evidence["as_of"] = day.isoformat()
        yield Found(org_id, ctx.period.label, "error", message, cited(evidence, *entries.values()))


# --- DEV-05: leaders paired with a cultivation ----------------------------------------------

# the track each pairing policy names, with its kinds and (optional) levels keys
PAIRING = {
    Track.TALENT_TO_CADRE: ("recruitment.pairing.cadre_kinds", "recruitment.pairing.cadre_levels"),
    Track.MEMBER_TO_TALENT: (
        "recruitment.pairing.talent_kinds",
        "recruitment.pairing.talent_levels",
    ),
    Track.TALENT_TO_MEMBER: ("recruitment.pairing.member_kinds", ""),
}


def paired_tracks(org: dict[str, Any], policy: Any) -> list[str]:
    """The tracks the leaders of `org` are to be paired in under its `policy`."""
    found = []
    for track, (kinds, levels) in PAIRING.items():
        if org["kind"] not in policy.value(kinds):
            continue
        if levels and org["level"] not in policy.value(levels):
            continue
        found.append(str(track))
    return found


def seated_on(seat: dict[str, Any], day: dt.date) -> bool:
    """A seat held on `day` (its started_on, if any, by then; ended_on its last day)."""
    started = seat["started_on"] is None or seat["started_on"] <= day
    return started and (seat["ended_on"] is None or seat["ended_on"] >= day)


def pairs_on(day: dt.date, tracks: set[str], leaders: set[int]) -> set[tuple[int, str]]:
    """(leader, track) of the cultivations active on `day` paired with one of `leaders`
    (one query, the leaders named when they are few; the file may sit anywhere in the
    tree)."""
    rows = Cultivation.objects.filter(active_on_q(day), pair__isnull=False, track__in=tracks)
    if len(leaders) <= FEW:
        rows = rows.filter(pair_id__in=sorted(leaders))
    return set(rows.values_list("pair_id", "track"))


@rule(
    "DEV-05",
    title="领导班子成员结对联系培养对象",
    text="镇（街道）、部门党委班子成员各联系一名把党员人才培养成基层干部的对象；党员干部"
    "各联系一名把党员培养成人才的对象；党支部成员各联系一名把人才培养成党员的对象"
    "（党组织类别、层级按政策）。未结对的班子成员为问题。",
    source="seed 001 §4.3",
    period="state",
    severity="error",
)
def dev_05_leader_pairs(ctx: Context) -> Iterator[Found]:
    """Per org, its seat holders on `day` without an active cultivation of each track
    its pairing policy names paired with them (DEV-05; the seats from the shared fact
    `seats` of the period, one query of the pairs)."""
    day = ctx.day
    wanted: dict[int, tuple[dict[str, Any], list[str]]] = {}
    known: dict[tuple[int, str, str], list[str]] = {}  # per policy, org kind and level
    for org in ctx.orgs():
        policy = ctx.policy.at(org["path"])
        key = (id(policy), org["kind"], org["level"])
        if key not in known:
            known[key] = paired_tracks(org, policy)
        if known[key]:
            wanted[org["id"]] = (org, known[key])
    if not wanted:
        return
    leaders: dict[int, list[int]] = defaultdict(list)
    for seat in ctx.fact("seats", start=ctx.period.start, end=ctx.period.end):
        held = seat["org_id"] in wanted and seat["member_id"] and seated_on(seat, day)
        if held and seat["member_id"] not in leaders[seat["org_id"]]:
            leaders[seat["org_id"]].append(seat["member_id"])
    if not leaders:
        return
    every_track = {t for _org, tracks in wanted.values() for t in tracks}
    paired = pairs_on(day, every_track, {m for members in leaders.values() for m in members})
    for org_id, members in leaders.items():
        org, tracks = wanted[org_id]
        missing = [
            {"member": m, "track": t} for t in tracks for m in members if (m, t) not in paired
        ]
        if not missing:
            continue
        policy = ctx.policy.at(org["path"])
        entries = [policy.entry(PAIRING[Track(t)][0]) for t in tracks]
        message = f"{len({row['member'] for row in missing})}名班子成员未结对联系培养对象"
        evidence = {"unpaired_leaders": missing, "as_of": day.isoformat()}
        yield Found(org_id, ctx.period.label, "error", message, cited(evidence, *entries))
