"""MEM-01: ID numbers stay readable across a key rotation; old keys are dropped."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from tests.factories import make_member, make_org
from xianfeng.lib.cipher import get_cipher, reset_cipher
from xianfeng.members.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(settings, tmp_path):
    settings.ID_NUMBER_KEYS = ""
    settings.VAR_DIR = tmp_path
    reset_cipher()
    yield tmp_path / "id_keys"
    reset_cipher()


def test_mem_01_rotate_keys_reencrypts_everything(key_file):
    branch = make_org(make_org(None, kind="party_committee"), kind="branch")
    members = [make_member(branch) for _ in range(3)]
    before = {m.pk: get_cipher().decrypt(m.id_number_cipher) for m in members}
    old_key = key_file.read_text().split()[0]
    call_command("rotate_id_keys")
    keys = key_file.read_text().split()
    assert len(keys) == 1 and keys[0] != old_key
    for member in Member.objects.all():
        assert get_cipher().decrypt(member.id_number_cipher) == before[member.pk]
        with pytest.raises(Exception):  # noqa: B017  the old key can no longer read it
            Fernet(old_key.encode()).decrypt(member.id_number_cipher.encode())


def test_mem_01_rotate_refuses_when_keys_come_from_environment(settings):
    from django.core.management.base import CommandError

    settings.ID_NUMBER_KEYS = Fernet.generate_key().decode()
    reset_cipher()
    with pytest.raises(CommandError):
        call_command("rotate_id_keys")
    reset_cipher()
