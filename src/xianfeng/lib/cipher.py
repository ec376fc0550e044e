"""One small cipher interface for personal identifiers (MEM-01).

`IdCipher` is what the registry uses; `FernetCipher` is the implementation today.
Where 国密 is required an `SM4Cipher` with the same three methods replaces it.
Lookups and uniqueness use an HMAC of the normalized number, never the ciphertext;
`stored_id_number` gives the three stored fields of a number (encrypted, HMAC, masked).
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .idcard import mask_id_number


class IdCipher(Protocol):
    def encrypt(self, plain: str) -> str: ...

    def decrypt(self, token: str) -> str: ...

    def rotate(self, token: str) -> str: ...


class IdKeyMismatch(ValueError):
    """The configured keys cannot decrypt a stored ID number: the database came without
    its key files (or with other ones)."""

    def __init__(self) -> None:
        super().__init__(
            "身份证号密钥与数据库不符：现有密钥无法解密数据库中的身份证号"
            "（数据库可能是在没有同时复制 var/id_keys 的情况下搬过来的）。"
            "请找回与数据库一起备份的 var/id_keys（或环境变量 XIANFENG_ID_KEYS），"
            "见 README“备份与恢复”"
        )


class FernetCipher:
    """Fernet with a list of keys: the first encrypts, all decrypt (for rotation)."""

    def __init__(self, keys: list[str]):
        if not keys:
            raise ValueError("no encryption key configured")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise IdKeyMismatch() from None

    def rotate(self, token: str) -> str:
        return self._fernet.rotate(token.encode()).decode()


def id_key_file(var_dir: Path) -> Path:
    """The file of the ID-number keys under var/ (used when XIANFENG_ID_KEYS is unset),
    one key a line, the first the one that encrypts."""
    return var_dir / "id_keys"


def load_keys(configured: str, var_dir: Path) -> list[str]:
    """Keys from XIANFENG_ID_KEYS, else var/id_keys (created with one key on first use)."""
    if configured.strip():
        return [k.strip() for k in configured.split(",") if k.strip()]
    from .files import create_once

    content = create_once(id_key_file(var_dir), Fernet.generate_key().decode() + "\n")
    return [k.strip() for k in content.splitlines() if k.strip()]


def add_key(var_dir: Path) -> str:
    """Prepend a new key to var/id_keys (rotation step 1); returns the new key."""
    path = id_key_file(var_dir)
    old = path.read_text() if path.exists() else ""
    new = Fernet.generate_key().decode()
    path.write_text(new + "\n" + old)
    return new


@lru_cache(maxsize=1)
def _default_cipher(configured: str, var_dir: str) -> FernetCipher:
    return FernetCipher(load_keys(configured, Path(var_dir)))


def get_cipher() -> IdCipher:
    from django.conf import settings

    return _default_cipher(settings.ID_NUMBER_KEYS, str(settings.VAR_DIR))


def reset_cipher() -> None:
    _default_cipher.cache_clear()


def lookup_hash(number: str) -> str:
    """HMAC-SHA256 of a normalized ID number: exact lookup and uniqueness."""
    return lookup_hasher()(number)


def lookup_hasher() -> Callable[[str], str]:
    """`lookup_hash` with the key read once: for hashing every row of a file."""
    from django.conf import settings

    key = settings.ID_NUMBER_HMAC_KEY.encode()

    def digest(number: str) -> str:
        return hmac.digest(key, number.encode(), "sha256").hex()

    return digest


def stored_id_number(
    number: str, *, cipher: IdCipher | None = None, digest: str | None = None
) -> dict[str, str]:
    """The stored fields of a normalized, valid ID number, as members, applicants and the
    talent pool keep it (MEM-01): `id_number_cipher` (encrypted), `id_number_hmac` (the
    lookup HMAC, for exact lookup and uniqueness) and `id_number_masked` (shown on pages).

    Bulk writers pass the `cipher` they hold and the `digest` they computed already, so a
    row costs one encryption and no settings read."""
    return {
        "id_number_cipher": (cipher or get_cipher()).encrypt(number),
        "id_number_hmac": lookup_hash(number) if digest is None else digest,
        "id_number_masked": mask_id_number(number),
    }


def new_api_key() -> str:
    import secrets

    return base64.urlsafe_b64encode(secrets.token_bytes(30)).decode().rstrip("=")
