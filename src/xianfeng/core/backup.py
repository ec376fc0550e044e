"""Backup and restore (issue 13): one tar archive holding the database, the uploaded files
and the key files, with a manifest.

Layout of the archive (every member 0600):

- ``manifest.json``: format, version, program version, database vendor, rows per table,
  created time, where each key came from, how the keys are protected;
- ``database/xianfeng.sqlite3`` (SQLite, a copy made with the online backup API, consistent
  while the site runs) or ``database/xianfeng.pgdump`` (``pg_dump --format=custom``);
- ``media/…``: the uploaded files (``MEDIA_ROOT``);
- ``keys/secret_key``, ``keys/id_keys``, ``keys/id_hmac_key`` as plain files, or all of them
  in ``keys.enc`` (Fernet, its key derived from a passphrase with scrypt).

Keys given by environment variables are left out and named in the manifest. Restore
refuses an archive whose keys are missing or cannot be decrypted, and a database whose
encrypted ID numbers the keys cannot decrypt (a sample is tried before anything is written).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connection

FORMAT = "xianfeng-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/xianfeng.sqlite3"
PG_MEMBER = "database/xianfeng.pgdump"
ENCRYPTED_KEYS = "keys.enc"
# Key file under var/ → the environment variable that replaces it.
KEY_FILES = {
    "secret_key": "SECRET_KEY",
    "id_keys": "XIANFENG_ID_KEYS",
    "id_hmac_key": "XIANFENG_ID_HMAC_KEY",
}
# Without these the encrypted ID numbers (and their lookups) are lost.
REQUIRED_KEYS = ("id_keys", "id_hmac_key")
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
SAMPLE = 20
COPY_BUFFER = 4 * 1024 * 1024
# Tables whose rows say the database already holds someone's data.
DATA_TABLES = {"orgs_org": "个党组织", "members_member": "名党员", "accounts_user": "个账号"}
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


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message is for the user (Chinese)."""


@dataclass
class Outcome:
    """What a backup or restore did: its manifest and lines to show the user."""

    manifest: dict[str, Any]
    notes: list[str] = field(default_factory=list)


# --- keys -----------------------------------------------------------------------------


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
    salt = secrets.token_bytes(16)
    token = _fernet(passphrase, salt, SCRYPT).encrypt(json.dumps(files).encode())
    return token, {"kdf": "scrypt", "salt": base64.b64encode(salt).decode(), **SCRYPT}


def open_keys(token: bytes, passphrase: str | None, sealing: dict[str, Any]) -> dict[str, str]:
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


# --- ID-number key check ----------------------------------------------------------------


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


# --- archive helpers ------------------------------------------------------------------


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o700 if info.isdir() else 0o600
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    tar.addfile(_private(info), io.BytesIO(data))


def _open_for_writing(path: Path, target: Path) -> tarfile.TarFile:
    """Plain tar, or gzip (level 1: fast) when the target's name ends in .gz/.tgz."""
    if target.name.endswith((".gz", ".tgz")):
        tar = tarfile.open(path, "w:gz", compresslevel=1)  # noqa: SIM115  returned open
    else:
        tar = tarfile.open(path, "w")  # noqa: SIM115
    tar.copybufsize = COPY_BUFFER  # type: ignore[attr-defined]  # 16 KB by default
    return tar


@contextmanager
def _scratch(near: Path) -> Iterator[Path]:
    """A private temporary folder on the same file system as `near`."""
    near.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".xianfeng-backup-", dir=near))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _vendor() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _vendor_label(vendor: str) -> str:
    return {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(vendor, vendor)


# --- SQLite ----------------------------------------------------------------------------


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [row[0] for row in rows]


def _sqlite_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        return {
            table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            for table in _sqlite_tables(db)
        }
    finally:
        db.close()


def _sqlite_copy(target: Path) -> None:
    """Copy the configured SQLite database to `target` in one step of the online backup
    API: a consistent snapshot, while other connections keep reading and writing."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()


def _sqlite_samples(path: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if "members_member" not in _sqlite_tables(db):
            return []
        rows = db.execute(
            "SELECT id_number_cipher, id_number_hmac FROM members_member ORDER BY id LIMIT ?",
            [SAMPLE],
        )
        return [(str(a), str(b)) for a, b in rows]
    finally:
        db.close()


def _sqlite_restore(source: Path) -> None:
    """Put `source` in place of the configured database: renamed into place (the site is
    stopped; the old database's WAL and shared-memory files are removed with it), or, for
    an in-memory database, copied in with the online backup API."""
    connection.close()
    if connection.is_in_memory_db():  # type: ignore[attr-defined]  # SQLite wrapper
        _sqlite_copy_into_connection(source)
        return
    with source.open("rb") as file:
        if file.read(16) != b"SQLite format 3\x00":
            raise BackupError("备份中的数据库文件不是 SQLite 数据库（可能已损坏），未恢复")
    target = Path(connection.settings_dict["NAME"])
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.move(str(source), str(target))
    target.chmod(0o600)


def _sqlite_copy_into_connection(source: Path) -> None:
    copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        copy.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(f"恢复 SQLite 数据库失败，原数据库未改变：{error}") from None
    finally:
        copy.close()
        connection.close()


# --- PostgreSQL ------------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    conf = connection.settings_dict
    env = dict(os.environ)
    for var, value in (
        ("PGHOST", conf.get("HOST")),
        ("PGPORT", conf.get("PORT")),
        ("PGUSER", conf.get("USER")),
        ("PGPASSWORD", conf.get("PASSWORD")),
        ("PGSSLMODE", (conf.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[var] = str(value)
    return env


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(
            f"找不到 {command[0]}：请安装 PostgreSQL 客户端工具（与服务器同一主版本）"
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{done.stderr.strip()[-2000:]}")


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _pg_counts(cursor: Any) -> dict[str, int]:
    counts = {}
    for table in _pg_tables(cursor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_dump(target: Path) -> dict[str, int]:
    """pg_dump of the configured database in one snapshot that the counts share."""
    other = connection.copy()
    try:
        other.ensure_connection()
        with other.connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _pg_counts(cursor)
            name = str(connection.settings_dict["NAME"])
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}", name])
            cursor.execute("COMMIT")
    finally:
        other.close()
    return counts


def _pg_samples(dump: Path) -> list[tuple[str, str]]:
    """The first rows of members_member's ciphertext and HMAC, read from the dump."""
    command = ["pg_restore", "--data-only", "--table=members_member", "--file=-", str(dump)]
    process = subprocess.Popen(command, env=_pg_env(), stdout=subprocess.PIPE, text=True)
    samples: list[tuple[str, str]] = []
    try:
        assert process.stdout is not None
        columns: list[str] = []
        for line in process.stdout:
            if line.startswith("COPY ") and "members_member" in line:
                inside = line[line.index("(") + 1 : line.index(")")]
                columns = [c.strip().strip('"') for c in inside.split(",")]
                continue
            if not columns or line.startswith("\\."):
                if columns:
                    break
                continue
            values = dict(zip(columns, line.rstrip("\n").split("\t"), strict=False))
            samples.append((values["id_number_cipher"], values["id_number_hmac"]))
            if len(samples) >= SAMPLE:
                break
    finally:
        process.kill()
        process.wait()
    return samples


def _pg_drop_others(keep: set[str]) -> None:
    """Drop the tables the archive does not hold (a newer schema's), so that migrate runs."""
    with connection.cursor() as cursor:
        others = [t for t in _pg_tables(cursor) if t not in keep]
        if others:
            cursor.execute("DROP TABLE " + ", ".join(f'"{t}"' for t in others) + " CASCADE")


def _pg_restore(dump: Path, *, tables: set[str]) -> None:
    """Restore in one transaction: the dump's objects replace their namesakes (--clean),
    and a failure leaves the database as it was."""
    connection.close()
    name = str(connection.settings_dict["NAME"])
    _run(
        [
            "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            f"--dbname={name}",
            str(dump),
        ]
    )
    _pg_drop_others(tables)


# --- backup ----------------------------------------------------------------------------


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files() -> list[Path]:
    root = _media_root()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def _manifest(vendor: str, counts: dict[str, int], status: dict[str, str]) -> dict[str, Any]:
    from xianfeng import __version__

    return {
        "format": FORMAT,
        "version": VERSION,
        "program_version": __version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {"vendor": vendor, "tables": counts, "rows": sum(counts.values())},
        "media_files": len(_media_files()),
        "keys": {
            name: (f"environment:{KEY_FILES[name]}" if state == "environment" else state)
            for name, state in status.items()
        },
        "keys_encrypted": None,
    }


def _key_notes(status: dict[str, str], sealed: bool) -> list[str]:
    notes = []
    for name, state in status.items():
        if state == "environment":
            notes.append(
                f"{name} 来自环境变量 {KEY_FILES[name]}，未放入备份：恢复时请设置同一个环境变量"
            )
        elif state == "missing":
            notes.append(f"var/{name} 不存在，未放入备份")
    if any(state == "included" for state in status.values()):
        notes.append(
            "备份中的密钥已用口令加密"
            if sealed
            else "备份中的密钥未加密：请像保管密钥一样保管备份文件"
        )
    return notes


def _dump_database(folder: Path) -> tuple[str, Path, dict[str, int]]:
    vendor = _vendor()
    if vendor == "postgresql":
        path = folder / "xianfeng.pgdump"
        return PG_MEMBER, path, _pg_dump(path)
    path = folder / "xianfeng.sqlite3"
    _sqlite_copy(path)
    return SQLITE_MEMBER, path, _sqlite_counts(path)


def backup(target: Path, *, passphrase: str | None = None) -> Outcome:
    """Write the archive to `target` (.tar, or .tar.gz/.tgz compressed)."""
    files, status = current_keys()
    notes = []
    try:
        verify_live_keys()
    except BackupError as error:
        notes.append(f"警告：{error}")
    target = target.resolve()
    with _scratch(target.parent) as folder:
        member, dumped, counts = _dump_database(folder)
        manifest = _manifest(_vendor(), counts, status)
        partial = folder / "archive.partial"
        with _open_for_writing(partial, target) as tar:
            _add_keys(tar, files, manifest, passphrase)
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
            tar.add(dumped, arcname=member, filter=_private)
            dumped.unlink()
            for path in _media_files():
                tar.add(path, arcname=f"media/{path.relative_to(_media_root())}", filter=_private)
        partial.chmod(0o600)
        os.replace(partial, target)
    return Outcome(manifest, notes + _key_notes(status, bool(passphrase)))


def _add_keys(
    tar: tarfile.TarFile, files: dict[str, str], manifest: dict[str, Any], passphrase: str | None
) -> None:
    if passphrase and files:
        token, sealing = seal_keys(files, passphrase)
        manifest["keys_encrypted"] = sealing
        _add_bytes(tar, ENCRYPTED_KEYS, token)
        return
    manifest["keys_encrypted"] = False
    for name, content in files.items():
        _add_bytes(tar, f"keys/{name}", content.encode())


# --- restore ---------------------------------------------------------------------------


def _allowed(name: str) -> bool:
    return name in {MANIFEST, ENCRYPTED_KEYS, SQLITE_MEMBER, PG_MEMBER} or name.startswith(
        ("keys/", "media/")
    )


def _unpack(source: Path, folder: Path) -> dict[str, Any]:
    try:
        with tarfile.open(source, "r:*") as tar:
            tar.copybufsize = COPY_BUFFER  # type: ignore[attr-defined]
            members = [m for m in tar.getmembers() if _allowed(m.name)]
            tar.extractall(folder, members=members, filter="data")
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件 {source}") from None
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{source} 不是完整的备份文件（{error}）") from None
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (FileNotFoundError, ValueError):
        raise BackupError(f"{source} 中没有有效的 manifest.json，不是本系统的备份") from None
    if manifest.get("format") != FORMAT or int(manifest.get("version", 0)) > VERSION:
        raise BackupError(f"{source} 不是本系统能读取的备份（格式 {manifest.get('format')}）")
    return manifest


def _archived_keys(
    folder: Path, manifest: dict[str, Any], passphrase: str | None
) -> dict[str, str]:
    sealing = manifest.get("keys_encrypted")
    if sealing:
        sealed = folder / ENCRYPTED_KEYS
        if not sealed.is_file():
            raise BackupError("备份中缺少加密的密钥文件 keys.enc，不能恢复")
        return open_keys(sealed.read_bytes(), passphrase, sealing)
    keys_dir = folder / "keys"
    return {
        name: (keys_dir / name).read_text() for name in KEY_FILES if (keys_dir / name).is_file()
    }


def _effective_key(name: str, archived: dict[str, str], manifest: dict[str, Any]) -> str:
    """The key the restored site will use: the environment's if set, else the archive's."""
    variable = KEY_FILES[name]
    if os.environ.get(variable):
        return os.environ[variable]
    if name in archived:
        return archived[name]
    state = str(manifest.get("keys", {}).get(name, "missing"))
    if state.startswith("environment"):
        raise BackupError(
            f"备份时 {name} 来自环境变量 {variable}，未放入备份：请先设置环境变量 {variable}"
            "（与备份时相同）再恢复"
        )
    raise BackupError(f"备份中缺少密钥 var/{name}，没有它无法使用数据库中的身份证号，不能恢复")


def _check_keys(
    folder: Path, manifest: dict[str, Any], archived: dict[str, str], vendor: str
) -> list[str]:
    id_keys = _effective_key("id_keys", archived, manifest)
    hmac_key = _effective_key("id_hmac_key", archived, manifest)
    if vendor == "postgresql":
        samples = _pg_samples(folder / PG_MEMBER)
    else:
        samples = _sqlite_samples(folder / SQLITE_MEMBER)
    check_id_keys(samples, id_keys, hmac_key, "备份中的密钥（或环境变量中的密钥）")
    notes = [f"已用密钥试解密 {len(samples)} 个身份证号，均正确"] if samples else []
    for name in KEY_FILES:
        if os.environ.get(KEY_FILES[name]) and name in archived:
            notes.append(
                f"环境变量 {KEY_FILES[name]} 已设置：程序将使用它，而不是恢复的 var/{name}"
            )
    return notes


def _existing_data() -> dict[str, int]:
    found = {}
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for table, label in DATA_TABLES.items():
            if table in tables:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                if count := cursor.fetchone()[0]:
                    found[label] = count
    return found


def _refuse_non_empty(force: bool) -> None:
    """Refuse a target holding data (or uploaded files) unless `force`."""
    found = _existing_data()
    media = _media_files()
    if (found or media) and not force:
        what = "、".join(f"{n} {label}" for label, n in found.items())
        if media:
            what = "、".join(filter(None, [what, f"{len(media)} 个上传文件"]))
        raise BackupError(
            f"目标不是空的（已有 {what}）：恢复会用备份替换全部数据。"
            "确认要覆盖时请加 --force；或换一个空的数据库（DATABASE_URL）和数据目录（XIANFENG_VAR_DIR）"
        )


def _write_keys(archived: dict[str, str]) -> None:
    from xianfeng.lib.cipher import reset_cipher

    var_dir = Path(settings.VAR_DIR)
    for name, content in archived.items():
        if name in KEY_FILES:
            path = var_dir / name
            partial = var_dir / f".{name}.restoring"
            partial.write_text(content)
            partial.chmod(0o600)
            os.replace(partial, path)
    reset_cipher()


def _replace_media(folder: Path) -> int:
    root = _media_root()
    if root.exists():
        shutil.rmtree(root)
    unpacked = folder / "media"
    if unpacked.is_dir():
        shutil.move(str(unpacked), str(root))
    else:
        root.mkdir(parents=True, mode=0o700)
    return sum(1 for p in root.rglob("*") if p.is_file())


def _live_counts() -> dict[str, int]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return _pg_counts(cursor)
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        return counts


def _compare_counts(expected: dict[str, int]) -> list[str]:
    actual = _live_counts()
    wrong = [t for t, n in expected.items() if actual.get(t) != n]
    if wrong:
        detail = "、".join(f"{t}（备份 {expected[t]}，恢复后 {actual.get(t)}）" for t in wrong[:10])
        raise BackupError(f"恢复后的行数与备份清单不符：{detail}")
    return [f"已核对 {len(expected)} 张表共 {sum(expected.values())} 行，与备份清单一致"]


def restore(source: Path, *, passphrase: str | None = None, force: bool = False) -> Outcome:
    """Replace the configured database, uploaded files and key files with the archive's.

    Everything is checked (archive, keys, passphrase, a sample of ID numbers, an empty
    target or `force`) before anything is written."""
    vendor = _vendor()
    with _scratch(Path(settings.VAR_DIR)) as folder:
        manifest = _unpack(source, folder)
        archived_vendor = manifest["database"]["vendor"]
        if archived_vendor != vendor:
            raise BackupError(
                f"备份来自 {_vendor_label(archived_vendor)}，当前配置的是 {_vendor_label(vendor)}："
                "请先配置同一种数据库（DATABASE_URL）再恢复"
            )
        archived = _archived_keys(folder, manifest, passphrase)
        notes = _check_keys(folder, manifest, archived, vendor)
        _refuse_non_empty(force)
        tables = manifest["database"]["tables"]
        if vendor == "postgresql":  # the database first: it is restored all or nothing
            _pg_restore(folder / PG_MEMBER, tables=set(tables))
        else:
            _sqlite_restore(folder / SQLITE_MEMBER)
        _write_keys(archived)
        media = _replace_media(folder)
        notes += _compare_counts(tables)
    notes.append(f"已恢复 {media} 个上传文件和密钥 {', '.join(sorted(archived)) or '（无）'}")
    return Outcome(manifest, notes)
