"""The demo jurisdiction: `xianfeng demo --scale town|county|city --seed N [--as-of DATE]`.

Builds a fictional jurisdiction (示范市 → 东山县 … → 青山镇 … → villages, communities,
offices, schools, hospitals, enterprises) with Faker zh_CN names and valid GB 11643 ID
numbers. The same seed and as-of date give the same codes, names, dates and ID numbers;
the current time is used only as the default as-of date. Events (joining, transfers,
leaving) fall in the last full calendar year and the current year to date, or shortly
before.

Sizes mostly fit ORG-03; each county (or the town at town scale) also has a branch with 2
full members, a branch with 55+, a general branch with only 40 and a branch of 25 without
party groups (listed in `DemoSummary.irregular_orgs`), and a few vacant seats and overdue
terms for ORG-04/ORG-05.

The records ORG-07 to ORG-09 read come with it: contact points of the leaders of every
party committee and working committee, with their visits in the last full year and this
year (quarterly reports, visits and problems solved in the 003 subtree, the first
government working committee); activity venues of that subtree's orgs and of villages,
communities and towns; and, in the 003 subtree only, party-affairs staff posts, unit
headcounts, and budgets and spending of each unit. A few gaps are deliberate (listed in
`DemoSummary.support_gaps`): leaders without a contact point or without a visit last
year, a missed quarter, an org without a venue and venues lacking an item, orgs short of
full-time staff, a budget missing, one short and one unit overspending. They are drawn
from a random stream of their own, so they leave the members and seats of a seed as
they were.

Every registered rule is at work (issue 14; `tests/demo/test_rules_at_work.py`): each
reports in the last full year and, if it can fail before its period ends, in the year to
date. Cases added for that, each drawn from a `cases:<app>` stream of its own after the
app's other draws, so every other row stays as it was: two committee seats vacant too
long (ORG-05, `members.demo`, saved after the other apps planned the block), a member
working away from last June to the Spring Festival (LIFE-01, LIFE-04), a branch month
without a publication this year (LIFE-07), a town's practical training missed in the
last quarter ended this year (STUDY-04), an org's task of last month left undone
(STUDY-03). At town scale seed 003 goes on the town's organs branch (no working
committee there), with a part-time post only and a budget missing last year and short
this year (ORG-08, ORG-09).

Everything is bulk-loaded: the org tree with its materialized paths computed here, then
one block (a county) of members with their status spells, placements, transfers, seats,
temporary memberships and the records above at a time, each tracked row with one "+"
history row recorded as made by the command line. The city scale (≈300,000 members)
loads in minutes, not hours.

Each app owns its builder: `orgs.demo` (the tree; ORG-07 … ORG-09 records), `members.demo`
(members, transfers, seats, temporary memberships), `orglife.demo` (meetings, attendance,
talks, party-affairs records), `study.demo`, `accounts.demo` (the demo accounts),
`supervision.demo`, `recruitment.demo` (the pipeline of every town with the members it
admits, cultivations, targets, dual-lead members, tags, disciplines) and, last,
`dues.demo` (two years of dues ledgers: kinds, declared bases, payments, closed months,
arrears, a waiver, remittances). This module runs them in dependency order over one
`core.demo.DemoContext`.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import transaction

from xianfeng.accounts.demo import DEMO_USERNAMES, create_demo_accounts
from xianfeng.accounts.models import User
from xianfeng.core.demo import EARLIEST_AS_OF, SCALES, DemoContext, DemoError, Progress
from xianfeng.dues.demo import save_dues
from xianfeng.lib.dates import today
from xianfeng.lib.sql import large_page_cache, refresh_statistics
from xianfeng.members.demo import MemberBuilder, Person
from xianfeng.orglife.demo import LifeBuilder, Stay, save_affairs
from xianfeng.orgs.demo import OrgPlan, OrgSupport, OrgTree
from xianfeng.orgs.models import MEMBER_KINDS, Level, Org, OrgKind
from xianfeng.recruitment.demo import save_recruitment
from xianfeng.study.demo import save_study
from xianfeng.supervision.demo import save_supervision

from .cleanup import delete_previous_demo
from .summary import DemoSummary, summarize


class DemoRun:
    """One run of the app builders in dependency order (`run`).

    Also what the study builder reads (`seed`, `as_of`, `now`, `insert`, `orgs`, `office`,
    `gaibei`, `stays`) and where it keeps its state (`study_state`, `study_gaps`).
    """

    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.seed, self.as_of, self.now, self.insert = ctx.seed, ctx.as_of, ctx.now, ctx.insert
        self.tree = OrgTree(ctx)
        self.orgs = self.tree.orgs
        self.members = MemberBuilder(ctx)
        self.total = 0
        self.study_state: Any = None
        self.study_gaps: list[tuple[str, str]] = []

    def run(self) -> OrgPlan:
        ctx, tree = self.ctx, self.tree
        root = tree.plan()
        blocks = sorted({plan.block for plan in tree.orgs})
        self.total = total = len(blocks) + 2
        tree.save_orgs(root)
        self.support = OrgSupport(ctx, tree.orgs)
        self.office = self.support.office
        self.life = LifeBuilder(ctx, tree.orgs, self.support.office_orgs)
        self.gaibei = self.life.gaibei
        ctx.progress(1, total, f"党组织 {len(tree.orgs):,} 个")
        branches = [p for p in tree.orgs if p.kind in MEMBER_KINDS]
        members = 0
        for step, block in enumerate(blocks, start=2):
            orgs = [p for p in tree.orgs if p.block == block]
            count = self._block(orgs, branches)
            members += count
            ctx.progress(step, total, f"{orgs[0].name}：党员 {count:,} 名（累计 {members:,}）")
        ctx.insert.reset_sequences()
        return root

    def _block(self, orgs: list[OrgPlan], branches: list[OrgPlan]) -> int:
        """Plan and save one block (a county) in every app; the number of its members."""
        local = [p for p in orgs if p.kind in MEMBER_KINDS]
        persons = [person for branch in local for person in self.members.people(branch)]
        transfers = self.members.plan_transfers(persons, branches, local)
        seats = self.members.plan_seats(orgs, persons)
        temporary = self.members.plan_temporary(orgs, persons)
        self.members.save_block(persons, transfers, seats, temporary)
        self.support.save_support(orgs, persons, seats)
        self.life.save_life(orgs, persons, seats)
        save_study(self, orgs, persons, seats)
        save_affairs(self.life, orgs, persons, seats)
        self.life.follow_seats(self.members.plan_seat_cases(orgs, persons, seats))
        self.members.save_seats(seats)
        return len(persons)

    def stays(self, persons: list[Person]) -> dict[OrgPlan, list[Stay]]:
        return self.life.stays(persons)


def _check_arguments(scale: str, as_of: dt.date) -> None:
    if scale not in SCALES:
        raise DemoError(f"规模应为 town（乡镇）、county（县）或 city（市），收到：{scale}")
    if as_of > today():
        raise DemoError(f"截至日期 {as_of:%Y-%m-%d} 晚于今天；示范数据只能截至今天或过去的日期")
    if as_of < EARLIEST_AS_OF:
        raise DemoError(f"截至日期不能早于 {EARLIEST_AS_OF:%Y-%m-%d}")


def _attach_policies(root: Org) -> None:
    """Apply the seed documents the way they apply (issue 4 §7): a city-level document at
    the root, the government-office document (003) on a working committee's subtree, the
    town document (004) on a town (at town scale: on the root), and the talent document
    (001) wherever no other document is attached below the root.

    001 (三培养, issue 17) sets the cultivation counts (DEV-03) and the leadership pairs
    (DEV-05) that the national defaults leave unchecked. An org has one policy of its own,
    so it goes where it does not displace another: on every town party committee but the
    004 town (county and city scales), and at town scale, where 004 holds the root and 003
    the organs branch, on each of the town's other direct children (villages, communities,
    units), so that the talent rules apply and report in the town demo too."""
    from xianfeng.compliance.domain import adopt_policy, attach_policy, load_shipped_policies
    from xianfeng.compliance.models import Policy

    if not Policy.objects.filter(code="004-gaibei").exists():
        load_shipped_policies()
    Policy.objects.filter(org__isnull=False).update(org=None)
    subtree = Org.objects.filter(path__startswith=root.path)
    if root.level == "town":
        attach_policy(policy=Policy.objects.get(code="004-gaibei"), org=root)
        organs = subtree.filter(kind__in=MEMBER_KINDS, sector="government").order_by("path")
        if organs.exists():  # the town's organs branch (orgs.demo.OrgSupport.office)
            attach_policy(policy=Policy.objects.get(code="003-haimen"), org=organs.first())
        _adopt_talent(subtree.filter(depth=root.depth + 1), adopt_policy)
        return
    attach_policy(policy=Policy.objects.get(code="000-nantong"), org=root)
    office = subtree.filter(kind=OrgKind.WORKING_COMMITTEE, sector="government").order_by("path")
    if office.exists():
        attach_policy(policy=Policy.objects.get(code="003-haimen"), org=office.first())
    towns = subtree.filter(level=Level.TOWN, kind=OrgKind.PARTY_COMMITTEE).order_by("path")
    town = towns.first()
    if town is not None:
        attach_policy(policy=Policy.objects.get(code="004-gaibei"), org=town)
    _adopt_talent(towns, adopt_policy)


def _adopt_talent(orgs: Any, adopt: Any) -> None:
    """001-talent, by reference, on each of `orgs` that has no policy of its own."""
    from xianfeng.compliance.models import Policy

    taken = set(Policy.objects.filter(org__isnull=False).values_list("org_id", flat=True))
    for org in orgs.order_by("path"):
        if org.pk not in taken:
            adopt(org=org, code="001-talent")


def build_demo(
    *,
    scale: str,
    seed: int,
    as_of: dt.date,
    replace: bool = False,
    progress: Progress | None = None,
) -> DemoSummary:
    """Build the demo jurisdiction of `scale` for `seed` as of `as_of` (one transaction).

    Refused (DemoError) when the database already holds orgs, unless `replace`, which first
    deletes the previous demo. Side effects: the demo accounts (DEMO_ACCOUNTS, password
    DEMO_PASSWORD) are created; `progress(done, total, message)` is called per block.
    """
    _check_arguments(scale, as_of)
    started = time.perf_counter()
    with transaction.atomic(), large_page_cache():
        existing = Org.objects.count()
        if existing and not replace:
            raise DemoError(
                f"数据库中已有 {existing:,} 个党组织，示范数据只能载入空库；"
                "如需替换之前载入的示范数据，请加 --replace"
            )
        if existing or User.objects.filter(username__in=DEMO_USERNAMES).exists():
            delete_previous_demo()
        run = DemoRun(DemoContext(scale, seed, as_of, progress))
        root = run.run()
        assert root.obj is not None
        create_demo_accounts(root.obj)
        _attach_policies(root.obj)
        save_supervision(run.ctx, root.obj)
        made = save_recruitment(
            run.ctx,
            root.obj,
            used_ids=run.members.used_ids,
            member_seq=run.members.member_seq,
            irregular={code for code, _why in run.tree.irregular},
        )
        run.life.attendance += made["attendance"]  # the newly admitted members' talks
        dues = save_dues(run.ctx, root.obj)
        run.ctx.progress(run.total, run.total, "演示账号、清单督查、发展党员、党费")
    refresh_statistics()
    seconds = time.perf_counter() - started
    irregular, gaps = run.tree.irregular, run.support.support_gaps
    seat_gaps = run.members.seat_gaps
    return summarize(scale, seed, as_of, seconds, irregular, gaps, run.life, seat_gaps, dues)
