"""ORG-03: an org's kind matches its number of full members; big branches have groups."""

from __future__ import annotations

from collections.abc import Iterator

from xianfeng.compliance.policy import OrgPolicy
from xianfeng.compliance.registry import Context, Found, rule

from ..models import MEMBER_KINDS, Org, OrgKind
from ._reads import member_totals

K = OrgKind
BRANCH_MIN, BRANCH_MAX = "org.setup.branch_min_full", "org.setup.branch_max_full"
COMMITTEE_MIN = "org.setup.committee_min_full"
COMMITTEE_LEVELS = "org.setup.committee_min_sizes_levels"
GROUPS_FROM = "org.setup.party_group_from_members"


def _with_groups(ctx: Context) -> set[str]:
    """Paths of branches that have at least one active party group."""
    groups = [o["path"] for o in ctx.orgs(kinds=[K.PARTY_GROUP])]
    return {path[: -Org.steplen] for path in groups}


@rule(
    "ORG-03",
    title="党组织设置与党员人数相符",
    text="有正式党员3-50人的，单独成立党支部，50-100人的成立党总支，100人以上的成立党委，"
    "党员人数在20人以上的党支部，应当划分若干党小组。",
    source="seed 003 附件第1条；《中国共产党支部工作条例（试行）》第五条",
    period="state",
    severity="warning",
    kinds=[K.BRANCH, K.JOINT_BRANCH, K.GENERAL_BRANCH, K.PARTY_COMMITTEE],
)
def org_03_size_matches_kind(ctx: Context) -> Iterator[Found]:
    """Every org whose number of full members does not fit its kind (ORG-03)."""
    orgs = ctx.orgs()
    totals = member_totals(ctx, ctx.day)
    grouped = _with_groups(ctx)
    checked = {K.BRANCH, K.JOINT_BRANCH, K.GENERAL_BRANCH, K.PARTY_COMMITTEE}
    for org in orgs:
        if org["kind"] in checked:
            yield from _check_size(ctx, org, totals[org["path"]], org["path"] in grouped)


def _check_size(
    ctx: Context, org: dict, total: dict[str, int], has_groups: bool
) -> Iterator[Found]:
    policy = ctx.policy.at(org["path"])
    full, every = total["full"], total["all"]
    for severity, message, param in _size_faults(policy, org, full, every, has_groups):
        evidence = {
            "full_members": full,
            "members": every,
            "as_of": ctx.day.isoformat(),
            "threshold": param["value"],
            "policy": param["policy"],
            "source": param["source"],
        }
        yield Found(org["id"], ctx.period.label, severity, message, evidence)


def _size_faults(
    policy: OrgPolicy, org: dict, full: int, every: int, has_groups: bool
) -> Iterator[tuple[str, str, dict]]:
    """(severity, message, policy entry) of each way the org's size does not fit its kind."""
    kind = org["kind"]
    low, high = policy.entry(BRANCH_MIN), policy.entry(BRANCH_MAX)
    big = policy.entry(COMMITTEE_MIN)
    label = OrgKind(kind).label
    if kind in MEMBER_KINDS and full < low["value"]:
        message = (
            f"{label}正式党员{full}人，不足{low['value']}人，不能单独成立党支部"
            "（可与邻近单位联合成立党支部）"
        )
        yield "error", message, low
    if kind in MEMBER_KINDS and full > high["value"]:
        yield "warning", f"{label}正式党员{full}人，超过{high['value']}人，应成立党总支", high
    if kind == K.GENERAL_BRANCH and full <= high["value"]:
        yield "warning", f"党总支正式党员{full}人，不超过{high['value']}人，应设立党支部", high
    if kind == K.GENERAL_BRANCH and full >= big["value"]:
        yield "warning", f"党总支正式党员{full}人，达到{big['value']}人，应成立党委", big
    if (
        kind == K.PARTY_COMMITTEE
        and full < big["value"]
        and org["level"] in policy.value(COMMITTEE_LEVELS)
    ):
        yield "warning", f"党委正式党员{full}人，不足{big['value']}人，应设党总支或党支部", big
    if kind in MEMBER_KINDS and not has_groups:
        groups = policy.entry(GROUPS_FROM)
        if every >= groups["value"]:
            message = f"党支部党员{every}人（{groups['value']}人以上），未划分党小组"
            yield "warning", message, groups
