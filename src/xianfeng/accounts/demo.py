"""The demo accounts (`xianfeng demo`): one per kind of user, all with DEMO_PASSWORD,
created through the accounts domain once the demo tree and members are loaded."""

from __future__ import annotations

from dataclasses import dataclass

from xianfeng.accounts.domain import create_account, grant_post, set_identifier_right
from xianfeng.accounts.models import Post, Role, User
from xianfeng.core.demo import DemoError, pad, text_width
from xianfeng.members.models import Member, Status, TransferStatus
from xianfeng.orgs.models import Level, Org, OrgKind, Seat, SeatRole, Sector

K, L, S = OrgKind, Level, Sector

# Demo only: printed with the demo accounts; never use it on a real installation.
DEMO_PASSWORD = "xianfeng-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    label: str
    role: str  # post role, "" for an account without a post
    place: str  # root, county, town, branch (the secretary's branch) or member
    identifiers: bool = False


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo_admin", "组织部管理员（全辖区）", Role.ADMIN, "root"),
    DemoAccount("demo_county_officer", "县级党务工作者", Role.OFFICER, "county"),
    DemoAccount("demo_viewer", "查看者（全辖区只读）", Role.VIEWER, "root"),
    DemoAccount("demo_town_admin", "乡镇管理员", Role.ADMIN, "town"),
    DemoAccount("demo_secretary", "村党支部书记（只看本支部）", Role.ADMIN, "branch"),
    DemoAccount("demo_member", "普通党员（只看本人档案）", "", "member"),
    DemoAccount("demo_identifiers", "可查看完整身份证号的党务工作者", Role.OFFICER, "root", True),
)
DEMO_USERNAMES = tuple(account.username for account in DEMO_ACCOUNTS)


def demo_accounts_table() -> str:
    """The demo accounts with their password and where their post is, as a text table."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("member")
    }
    if not users:
        return "数据库中没有演示账号（用 xianfeng demo 生成示范数据时创建）。"
    posts = {
        p.user_id: p
        for p in Post.objects.filter(user__in=users.values(), is_active=True).select_related("org")
    }
    rows = [("用户名", "身份", "岗位所在组织 / 对应党员")]
    for account in DEMO_ACCOUNTS:
        user = users.get(account.username)
        if user is None:
            continue
        post = posts.get(user.pk)
        where = f"{post.org.name}（{post.get_role_display()}）" if post else ""
        if user.member is not None:
            where = f"{where}；党员 {user.member.name}" if where else f"党员 {user.member.name}"
        rows.append((account.username, account.label, where))
    widths = [max(text_width(row[i]) for row in rows) for i in range(2)]
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}，仅供演示，切勿用于正式环境）："]
    lines += [
        "  " + "  ".join(pad(c, w) for c, w in zip(row[:2], widths, strict=True)) + "  " + row[2]
        for row in rows
    ]
    return "\n".join(lines)


# --- summary ----------------------------------------------------------------------------


def _first(root: Org, kind: str, level: str) -> Org:
    if root.level == level:
        return root
    return (
        Org.objects.filter(path__startswith=root.path, kind=kind, level=level)
        .order_by("path")
        .first()
    )


def create_demo_accounts(root: Org) -> None:
    """One account per kind of user (DEMO_ACCOUNTS), through the accounts domain."""
    county = _first(root, K.PARTY_COMMITTEE, L.COUNTY) if root.level == L.CITY else root
    town = _first(root, K.PARTY_COMMITTEE, L.TOWN)
    secretaries = Seat.objects.filter(
        org__path__startswith=town.path,
        org__kind=K.BRANCH,
        role=SeatRole.SECRETARY,
        ended_on__isnull=True,
        member__status=Status.FULL,
    ).exclude(member__transfers__status=TransferStatus.IN_TRANSIT)
    seat = (
        secretaries.filter(org__sector=S.RURAL).order_by("org__path").first()
        or secretaries.order_by("org__path").first()
    )
    if seat is None:  # pragma: no cover - every seed so far has village secretaries
        raise DemoError("示范数据中没有可用的村党支部书记，无法创建演示账号")
    ordinary = (
        Member.objects.filter(org=seat.org, status=Status.FULL, seats__isnull=True)
        .exclude(transfers__status=TransferStatus.IN_TRANSIT)
        .order_by("code")
        .first()
    )
    places = {"root": root, "county": county, "town": town, "branch": seat.org}
    linked = {"branch": seat.member, "member": ordinary}
    for account in DEMO_ACCOUNTS:
        user, _password = create_account(
            username=account.username,
            display_name=account.label,
            password=DEMO_PASSWORD,
            member=linked.get(account.place),
        )
        if account.role:
            grant_post(user=user, org=places[account.place], role=account.role)
        if account.identifiers:
            set_identifier_right(user=user, allowed=True)
        if user.must_change_password:
            User.objects.filter(pk=user.pk).update(must_change_password=False)
