"""ORG-03: an org's kind matches its number of full members; big branches have groups."""

from __future__ import annotations

from collections.abc import Iterator

from xianfeng.compliance.registry import Context, Found, rule

from ..models import MEMBER_KINDS, Org, OrgKind
from ._reads import member_counts, rollup

K = OrgKind


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
    totals = rollup(orgs, member_counts(ctx, ctx.day))
    grouped = _with_groups(ctx)
    checked = {K.BRANCH, K.JOINT_BRANCH, K.GENERAL_BRANCH, K.PARTY_COMMITTEE}
    for org in orgs:
        if org["kind"] in checked:
            yield from _check_size(ctx, org, totals[org["path"]], org["path"] in grouped)


def _check_size(
    ctx: Context, org: dict, total: dict[str, int], has_groups: bool
) -> Iterator[Found]:
    entry = lambda key: ctx.policy.entry(f"org.setup.{key}", org["path"])  # noqa: E731
    full, every, kind = total["full"], total["all"], org["kind"]
    low, high, big = (
        entry("branch_min_full"),
        entry("branch_max_full"),
        entry("committee_min_full"),
    )
    evidence = {"full_members": full, "members": every, "as_of": ctx.day.isoformat()}

    def found(severity: str, message: str, param: dict) -> Found:
        return Found(
            org["id"],
            ctx.period.label,
            severity,
            message,
            {
                **evidence,
                "threshold": param["value"],
                "policy": param["policy"],
                "source": param["source"],
            },
        )

    label = OrgKind(kind).label
    if kind in MEMBER_KINDS and full < low["value"]:
        yield found(
            "error",
            f"{label}正式党员{full}人，不足{low['value']}人，不能单独成立党支部"
            "（可与邻近单位联合成立党支部）",
            low,
        )
    if kind in MEMBER_KINDS and full > high["value"]:
        yield found(
            "warning", f"{label}正式党员{full}人，超过{high['value']}人，应成立党总支", high
        )
    if kind == K.GENERAL_BRANCH and full <= high["value"]:
        yield found(
            "warning", f"党总支正式党员{full}人，不超过{high['value']}人，应设立党支部", high
        )
    if kind == K.GENERAL_BRANCH and full >= big["value"]:
        yield found("warning", f"党总支正式党员{full}人，达到{big['value']}人，应成立党委", big)
    levels = ctx.policy.value("org.setup.committee_min_sizes_levels", org["path"])
    if kind == K.PARTY_COMMITTEE and org["level"] in levels and full < big["value"]:
        yield found(
            "warning", f"党委正式党员{full}人，不足{big['value']}人，应设党总支或党支部", big
        )
    groups = entry("party_group_from_members")
    if kind in MEMBER_KINDS and every >= groups["value"] and not has_groups:
        yield found(
            "warning", f"党支部党员{every}人（{groups['value']}人以上），未划分党小组", groups
        )
