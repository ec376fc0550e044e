"""`xianfeng bench import|check|load|roundtrip|export`: performance measurements, printed as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "性能测试：import（市级党员名册导入）、check（市级全量合规检查）、"
        "load（本机网页服务压力测试）、roundtrip（示范数据全量导出后导入空库并逐行比对）、"
        "export（当前数据库全部党员导出，脱敏与完整身份证号各一次）、"
        "supervision（当前数据库：全部检查发现生成问题清单、督查规则、审核队列页面）、"
        "recruitment（当前数据库：发展党员和人才培养规则、目标进度表）、"
        "dues（当前数据库：全辖区一年党费应交计算、应交记录生成、党费规则、年度合计表）"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "what",
            choices=[
                "import",
                "check",
                "load",
                "roundtrip",
                "export",
                "supervision",
                "recruitment",
                "dues",
            ],
        )
        parser.add_argument(
            "--scale",
            choices=["town", "county", "city"],
            default=None,
            help="check：在当前数据库上复用或生成市级示范数据（只支持 city）；"
            "roundtrip：在临时数据库中生成的示范数据规模，默认 county",
        )
        parser.add_argument("--seed", type=int, default=1, help="roundtrip：示范数据随机种子")
        parser.add_argument(
            "--as-of", dest="as_of", default="", help="roundtrip：示范数据截至日期，默认今天"
        )
        parser.add_argument("--rule", default="", help="check：只测规则编号以此开头的规则")
        parser.add_argument(
            "--period", default="", help="check：期间，默认上一年；dues：年度，默认今年"
        )
        parser.add_argument(
            "--jobs", type=int, default=0, help="check：并行进程数，默认等于CPU核数"
        )
        parser.add_argument("--members", type=int, default=300_000)
        parser.add_argument("--workbook", help="import：空库导入时复用或生成的工作簿路径")
        parser.add_argument(
            "--roster",
            help="import：再导入的党员名册文件，默认按 export members --unmasked 导出当前数据库",
        )
        parser.add_argument(
            "--only",
            choices=["reimport", "fresh"],
            help="import：只测名册原样再导入当前数据库（reimport）或合成数据导入空库（fresh），默认两者都测",
        )
        self._add_load_arguments(parser)

    def _add_load_arguments(self, parser):  # type: ignore[no-untyped-def]
        from xianfeng.bench import load

        parser.add_argument("--url", default="http://127.0.0.1:8000", help="load：服务地址")
        parser.add_argument("--serve", action="store_true", help="load：自行在本机空闲端口启动服务")
        parser.add_argument("--clients", type=int, default=4, help="load：并发客户端数")
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="load：--serve 时的网页服务进程数，默认与 xianfeng serve 相同（本机核数）",
        )
        parser.add_argument("--seconds", type=float, default=30, help="load：持续秒数")
        parser.add_argument(
            "--accounts", default=",".join(load.DEFAULT_ACCOUNTS), help="load：登录账号，逗号分隔"
        )
        parser.add_argument("--password", default=load.DEFAULT_PASSWORD, help="load：账号密码")
        parser.add_argument("--mix", default="9:1", help="load：读写比例，例如 9:1")
        parser.add_argument(
            "--with-check",
            action="store_true",
            help="load：压测同时在另一进程运行全量合规检查（xianfeng check），报告其耗时",
        )
        parser.add_argument(
            "--reviewer",
            default="demo_admin",
            help="supervision：审核队列页面的登录账号（默认全辖区管理员 demo_admin）",
        )
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        from xianfeng.bench import check, importing

        if options["what"] == "load":
            self.stdout.write(json.dumps(self._load(options), ensure_ascii=False, indent=2))
            return
        if options["what"] == "roundtrip":
            self.stdout.write(json.dumps(self._roundtrip(options), ensure_ascii=False, indent=2))
            return
        if options["what"] == "supervision":
            self.stdout.write(json.dumps(self._supervision(options), ensure_ascii=False, indent=2))
            return
        if options["what"] == "recruitment":
            from xianfeng.bench import recruiting

            self.stdout.write(json.dumps(recruiting.run(), ensure_ascii=False, indent=2))
            return
        if options["what"] == "dues":
            from xianfeng.bench import dues

            period = options["period"]
            if period and not (period.isdigit() and len(period) == 4):
                raise CommandError("dues 的 --period 应为年度，例如 2025", returncode=2)
            report = dues.run(int(period) if period else None)
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        if options["what"] == "export":
            from xianfeng.bench import exporting

            self.stdout.write(json.dumps(exporting.run(), ensure_ascii=False, indent=2))
            return
        if options["scale"] not in (None, "city"):
            raise CommandError("--scale 此处只支持 city", returncode=2)
        if options["what"] == "check":
            if options["jobs"] < 0:
                raise CommandError("--jobs 应为正整数", returncode=2)
            report = check.run(
                rule_prefix=options["rule"], period=options["period"], jobs=options["jobs"]
            )
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        if options["members"] < 1:
            raise CommandError("--members 应为正整数", returncode=2)
        report = {}
        if options["only"] != "fresh":
            report["reimport"] = self._reimport(options)
        if options["only"] != "reimport":
            default = Path(settings.VAR_DIR) / "bench" / f"city-{options['members']}.xlsx"
            workbook = Path(options["workbook"]) if options["workbook"] else default
            report["fresh"] = importing.run(members=options["members"], workbook=workbook)
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))

    def _reimport(self, options):  # type: ignore[no-untyped-def]
        from xianfeng.bench import importing
        from xianfeng.members.models import Member

        roster = Path(options["roster"]) if options["roster"] else None
        if roster is not None and not roster.is_file():
            raise CommandError(f"找不到文件：{roster}", returncode=2)
        if roster is None and not Member.objects.exists():
            raise CommandError(
                "当前数据库没有党员，无法导出名册再导入；请先生成示范数据或用 --only fresh",
                returncode=2,
            )
        default = Path(settings.VAR_DIR) / "bench" / "roster-unmasked.xlsx"
        return importing.reimport(roster, default)

    def _supervision(self, options):  # type: ignore[no-untyped-def]
        from xianfeng.bench import load, supervising

        try:
            return supervising.run(
                clients=options["clients"],
                seconds=options["seconds"],
                account=options["reviewer"],
                password=options["password"],
            )
        except load.LoadError as error:
            raise CommandError(str(error), returncode=2) from None

    def _roundtrip(self, options):  # type: ignore[no-untyped-def]
        import datetime as dt

        from xianfeng.bench import scratch
        from xianfeng.lib.dates import today

        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else today()
        except ValueError:
            raise CommandError("--as-of 应为 YYYY-MM-DD 格式的日期", returncode=2) from None
        scale = options["scale"] or "county"
        return scratch.run(scale=scale, seed=options["seed"], as_of=as_of)

    def _load(self, options):  # type: ignore[no-untyped-def]
        from xianfeng.bench import load, with_check
        from xianfeng.core.serving import default_workers

        arguments = {
            "clients": options["clients"],
            "seconds": options["seconds"],
            "accounts": tuple(a.strip() for a in options["accounts"].split(",") if a.strip()),
            "password": options["password"],
            "mix": options["mix"],
        }
        if options["workers"] < 0:
            raise CommandError("--workers 应为正整数", returncode=2)
        try:
            check = options["with_check"]
            if not options["serve"]:
                return with_check.loaded(load.run, check=check, url=options["url"], **arguments)
            workers = options["workers"] or default_workers()
            with load.served(workers) as server:
                return with_check.loaded(
                    load.run,
                    check=check,
                    url=server.url,
                    workers=workers,
                    server_group=server.group,
                    **arguments,
                )
        except load.LoadError as error:
            raise CommandError(str(error), returncode=2) from None
