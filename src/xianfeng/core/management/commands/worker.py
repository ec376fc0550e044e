"""`xianfeng worker`: runs background jobs (django-tasks database backend)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务处理进程（导入、批量开通账号等长任务）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--batch", action="store_true", help="处理完队列中的任务后退出")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        from xianfeng.core.tasks import sweep_import_files

        removed = sweep_import_files()
        if removed:
            self.stdout.write(f"已删除 {removed} 个已结束导入任务遗留的上传文件")
        call_command("db_worker", batch=options["batch"])
