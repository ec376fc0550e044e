"""`xianfeng dues refresh [--year YEAR] [--org CODE]`: recompute the dues ledger's lines.

The domain's writes and the roster's changes keep the lines current as they happen; run
this nightly (before `xianfeng remind`) so that a change made outside them (a restore, a
policy edit, a new year) reaches the ledger. What was paid is kept. Exit status 0; 2 on
bad arguments.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from xianfeng.dues import ledger
from xianfeng.lib.dates import today
from xianfeng.members.queries import members_placed_during
from xianfeng.orgs.models import Org


class Command(BaseCommand):
    help = "重新计算党费台账（每月应交金额）；已交记录保留"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("action", choices=["refresh"])
        parser.add_argument("--year", type=int, default=None, help="年度，默认今年")
        parser.add_argument("--org", default=None, help="只计算该组织及下级的党员")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        year = options["year"] or today().year
        if not 1950 <= year <= today().year + 1:
            raise CommandError(f"年度不正确：{year}", returncode=2)
        members = None
        if options["org"]:
            org = Org.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(f"没有找到组织“{options['org']}”", returncode=2)
            first, last = ledger.months_of(year)[0][0], ledger.months_of(year)[-1][1]
            members = members_placed_during(Q(org__path__startswith=org.path), first, last)
        began = time.perf_counter()
        counts = ledger.refresh(year, members)
        self.stdout.write(
            f"{year}年党费台账：新增 {counts['added']} 行，更新 {counts['changed']} 行，"
            f"删除 {counts['removed']} 行（{time.perf_counter() - began:.1f} 秒）"
        )
