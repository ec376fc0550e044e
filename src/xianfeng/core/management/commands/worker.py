"""`xianfeng worker`: runs background jobs (django-tasks database backend).

At start it fails the jobs of workers that died (expired leases) and removes their
uploads; while it runs, its heartbeat renews the leases of the jobs it runs and sweeps
again periodically (core.jobs).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务处理进程（导入、批量开通账号等长任务）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--batch", action="store_true", help="处理完队列中的任务后退出")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        from xianfeng.core.jobs import HEARTBEAT
        from xianfeng.core.tasks import sweep_jobs

        swept = sweep_jobs()
        if swept.failed:
            self.stdout.write(f"已将 {swept.failed} 个进程中断的后台任务标记为失败")
        if swept.removed:
            self.stdout.write(f"已删除 {swept.removed} 个已结束导入任务遗留的上传文件")
        HEARTBEAT.start(sweep=sweep_jobs)
        try:
            call_command("db_worker", batch=options["batch"])
        finally:
            HEARTBEAT.stop()
