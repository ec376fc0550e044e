"""`xianfeng rotate_id_keys`: a new encryption key for ID numbers, every ciphertext
re-encrypted with it, then the old keys dropped (MEM-01)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xianfeng.lib.cipher import add_key, get_cipher, id_key_file, reset_cipher
from xianfeng.members.models import Member

BATCH = 2000


class Command(BaseCommand):
    help = "轮换身份证号加密密钥：生成新密钥、重新加密全部身份证号、删除旧密钥"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--reencrypt-only",
            action="store_true",
            help="不生成新密钥，只用当前第一个密钥重新加密（密钥由环境变量提供时使用）",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        from_env = bool(settings.ID_NUMBER_KEYS.strip())
        if from_env and not options["reencrypt_only"]:
            raise CommandError(
                "密钥来自环境变量 XIANFENG_ID_KEYS：请把新密钥放在最前面，"
                "然后用 --reencrypt-only 重新加密",
                returncode=2,
            )
        if not options["reencrypt_only"]:
            add_key(settings.VAR_DIR)
        reset_cipher()
        count = self._reencrypt()
        if not from_env:
            path = id_key_file(settings.VAR_DIR)
            path.write_text(path.read_text().splitlines()[0] + "\n")
            reset_cipher()
        self.stdout.write(f"已重新加密 {count} 个身份证号。")

    def _reencrypt(self) -> int:
        cipher = get_cipher()
        count = 0
        with transaction.atomic():
            rows = Member.objects.only("pk", "id_number_cipher").order_by("pk")
            batch: list[Member] = []
            for member in rows.iterator(chunk_size=BATCH):
                member.id_number_cipher = cipher.rotate(member.id_number_cipher)
                batch.append(member)
                if len(batch) >= BATCH:
                    count += self._save(batch)
            count += self._save(batch)
        return count

    @staticmethod
    def _save(batch: list[Member]) -> int:
        Member.objects.bulk_update(batch, ["id_number_cipher"])
        saved = len(batch)
        batch.clear()
        return saved
