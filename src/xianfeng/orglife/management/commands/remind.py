"""`xianfeng remind [--as-of DATE]`: send the yearly plan's reminders (LIFE-02/03/05).

Meant to run once a day (cron or a systemd timer). Every org's admins and officers get an
inbox notice N days (policy life.reminder.days_before) before a required meeting is due
and one when it is overdue; running it again the same day sends nothing new.
Exit status 0; 2 on a bad date.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from xianfeng.lib.dates import parse_date, today
from xianfeng.orglife.reminders import send_reminders


class Command(BaseCommand):
    help = "发送组织生活到期提醒和逾期提醒（每天运行一次；重复运行不会重复发送）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--as-of", dest="as_of", default=None, help="YYYY-MM-DD，默认今天")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            as_of = parse_date(options["as_of"]) if options["as_of"] else today()
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        sent = send_reminders(as_of=as_of)
        self.stdout.write(f"截至 {as_of.isoformat()}，已发送组织生活提醒 {sent} 条")
