"""`xianfeng demo --scale town|county|city --seed N [--as-of YYYY-MM-DD] [--replace]`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xianfeng.accounts.demo import demo_accounts_table
from xianfeng.core.demo import SCALES, DemoError
from xianfeng.demo.builder import build_demo
from xianfeng.lib.dates import parse_date, today


def _seed(value: Any) -> int:
    if value is None:
        raise CommandError("请用 --seed 指定随机种子（整数），如 --seed 1")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CommandError(f"--seed 应为整数，收到：{value}") from None


def _as_of(value: Any) -> dt.date:
    if value is None:
        return today()
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(str(value))
    except ValueError as error:
        raise CommandError(f"--as-of {error}") from None


class Command(BaseCommand):
    help = "生成虚构的示范辖区（同一种子、同一截至日期结果完全相同）并创建演示账号"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--scale", help="规模：town（乡镇）、county（县）或 city（市）")
        parser.add_argument("--seed", help="随机种子（整数）")
        parser.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD，默认今天")
        parser.add_argument(
            "--replace", action="store_true", help="先删除之前载入的示范数据再重新生成"
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        scale = options["scale"]
        if scale not in SCALES:
            raise CommandError(
                "请用 --scale 指定规模：town（乡镇，约600名党员）、county（县，约8000名）"
                f"或 city（市，约30万名）{f'，收到：{scale}' if scale else ''}"
            )
        seed, as_of = _seed(options["seed"]), _as_of(options["as_of"])
        verbose = options["verbosity"] > 0

        def progress(done: int, total: int, message: str) -> None:
            if verbose:
                self.stdout.write(f"[{done}/{total}] {message}")
                self.stdout.flush()

        try:
            summary = build_demo(
                scale=scale, seed=seed, as_of=as_of, replace=options["replace"], progress=progress
            )
        except DemoError as error:
            raise CommandError(str(error)) from None
        self.stdout.write("\n".join(summary.lines()))
        self.stdout.write(demo_accounts_table())
