"""`xianfeng remind [--as-of DATE]`: send the daily digest of reminders (notices.digest).

Meant to run once a day (cron or a systemd timer). Every registered reminder source
(settings.REMINDER_SOURCES: the yearly plan's meetings, terms) reports what is due or
overdue; each user gets one digest notice of what they were not told before (and an
e-mail when a mail server is configured). Running it again the same day sends nothing.
Exit status 0; 2 on a bad date.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from xianfeng.lib.dates import parse_date, today
from xianfeng.notices.digest import send_digests


class Command(BaseCommand):
    help = "发送每日提醒（组织生活到期和逾期、换届等；每天运行一次，重复运行不会重复发送）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--as-of", dest="as_of", default=None, help="YYYY-MM-DD，默认今天")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            as_of = parse_date(options["as_of"]) if options["as_of"] else today()
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        summary = send_digests(as_of)
        self.stdout.write(
            f"截至 {as_of.isoformat()}：提醒事项 {summary.reported} 项，"
            f"新告知 {summary.told} 条，已向 {summary.digests} 人发送每日提醒"
        )
