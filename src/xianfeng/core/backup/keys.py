"""The key files in an archive: which are taken (not those the environment gives), sealed
with a passphrase (scrypt + Fernet), and whether the ID-number keys fit a database's
encrypted ID numbers (a sample decrypted and its HMAC compared)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connection

from .common import KEY_FILES, SAMPLE, BackupError

SCRYPT = {"n": 2**15, "r": 8, "p": 1}
KEY_MISMATCH = (
    "身份证号密钥与数据库不符：用{keys}无法解密数据库中的身份证号"
    "（数据库可能是在没有同时复制 var/id_keys 的情况下搬过来的）。"
    "请找回与数据库一起备份的 var/id_keys（或环境变量 XIANFENG_ID_KEYS）后再试，"
    "见 README“备份与恢复”。"
)
HMAC_MISMATCH = (
    "身份证号查找密钥与数据库不符：{keys}不是登记这些身份证号时的 var/id_hmac_key"
    "（或环境变量 XIANFENG_ID_HMAC_KEY），按身份证号查找和查重会失效。请找回原来的密钥后再试。"
)


def _file_text(path: Path) -> str | None:
    return path.read_text() if path.is_file() else None


def _key_in_use(name: str) -> str:
    if name == "secret_key":
        return str(settings.SECRET_KEY)
    if name == "id_hmac_key":
        return str(settings.ID_NUMBER_HMAC_KEY)
    return str(settings.ID_NUMBER_KEYS)


def current_keys() -> tuple[dict[str, str], dict[str, str]]:
    """(files to include: name → content, status: name → included/environment/missing).

    A key is taken from its file under var/ only when that file is what the program uses;
    otherwise it comes from the environment and is left out."""
    from xianfeng.lib.cipher import load_keys

    files: dict[str, str] = {}
    status: dict[str, str] = {}
    for name in KEY_FILES:
        if name == "id_keys" and not settings.ID_NUMBER_KEYS.strip():
            load_keys("", Path(settings.VAR_DIR))  # the file the program would create anyway
        content = _file_text(Path(settings.VAR_DIR) / name)
        in_use = _key_in_use(name).strip()
        from_env = (
            bool(in_use) if name == "id_keys" else content is None or content.strip() != in_use
        )
        if from_env:
            status[name] = "environment"
        elif content is None:
            status[name] = "missing"
        else:
            files[name], status[name] = content, "included"
    return files, status


def _fernet(passphrase: str, salt: bytes, params: dict[str, int]) -> Fernet:
    kdf = Scrypt(salt=salt, length=32, **params)
    return Fernet(base64.urlsafe_b64encode(kdf.derive(passphrase.encode())))


def seal_keys(files: dict[str, str], passphrase: str) -> tuple[bytes, dict[str, Any]]:
    """The key files encrypted with a key derived from `passphrase` (scrypt), and the
    sealing parameters for the manifest."""
    salt = secrets.token_bytes(16)
    token = _fernet(passphrase, salt, SCRYPT).encrypt(json.dumps(files).encode())
    return token, {"kdf": "scrypt", "salt": base64.b64encode(salt).decode(), **SCRYPT}


def open_keys(token: bytes, passphrase: str | None, sealing: dict[str, Any]) -> dict[str, str]:
    """The key files of a sealed archive; BackupError without or with a wrong passphrase."""
    if not passphrase:
        raise BackupError(
            "备份中的密钥已用口令加密：请用 --passphrase-file 文件 或 --passphrase-env 变量名 提供口令"
        )
    params = {k: int(sealing[k]) for k in ("n", "r", "p")}
    salt = base64.b64decode(sealing["salt"])
    try:
        plain = _fernet(passphrase, salt, params).decrypt(token)
    except InvalidToken:
        raise BackupError("口令不正确：无法解密备份中的密钥，未恢复任何内容") from None
    return dict(json.loads(plain))


def _parse_keys(text: str) -> list[str]:
    return [k.strip() for k in text.replace(",", "\n").splitlines() if k.strip()]


def check_id_keys(samples: list[tuple[str, str]], id_keys: str, hmac_key: str, where: str) -> None:
    """Raise BackupError unless the keys decrypt the sampled ciphertexts and give their
    HMACs. `samples`: (id_number_cipher, id_number_hmac); `where` names the keys."""
    from xianfeng.lib.cipher import FernetCipher

    if not samples:
        return
    keys = _parse_keys(id_keys)
    if not keys:
        raise BackupError(KEY_MISMATCH.format(keys="（没有密钥）"))
    cipher = FernetCipher(keys)
    for token, stored_hmac in samples:
        try:
            number = cipher.decrypt(token)
        except ValueError:
            raise BackupError(KEY_MISMATCH.format(keys=where)) from None
        digest = hmac.new(hmac_key.strip().encode(), number.encode(), hashlib.sha256).hexdigest()
        if digest != stored_hmac:
            raise BackupError(HMAC_MISMATCH.format(keys=where))


def live_samples() -> list[tuple[str, str]]:
    """A few (ciphertext, HMAC) pairs of the configured database."""
    with connection.cursor() as cursor:
        if "members_member" not in connection.introspection.table_names(cursor):
            return []
        cursor.execute(
            "SELECT id_number_cipher, id_number_hmac FROM members_member ORDER BY id LIMIT %s",
            [SAMPLE],
        )
        return [(str(a), str(b)) for a, b in cursor.fetchall()]


def verify_live_keys() -> None:
    """Raise BackupError if the configured keys do not fit the configured database."""
    from xianfeng.lib.cipher import load_keys

    id_keys = settings.ID_NUMBER_KEYS or "\n".join(load_keys("", Path(settings.VAR_DIR)))
    check_id_keys(live_samples(), id_keys, settings.ID_NUMBER_HMAC_KEY, "现有密钥")
