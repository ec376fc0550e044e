"""`xianfeng quickstart`: migrate, load the demo county (once), print the demo accounts,
then start the worker and the server (unless --no-serve)."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from xianfeng.orgs.models import Org


class Command(BaseCommand):
    help = "一键体验：建库、载入示范县数据、列出演示账号并启动服务"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if Org.objects.exists():
            self.stdout.write("数据库中已有组织数据，跳过示范数据载入。")
            from xianfeng.accounts.demo import demo_accounts_table

            self.stdout.write(demo_accounts_table())
        else:
            call_command("demo", scale="county", seed=options["seed"])
        if not options["no_serve"]:
            call_command("serve", bind=options["bind"], with_worker=True)
