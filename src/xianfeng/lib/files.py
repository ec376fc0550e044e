"""Small file helpers."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def create_once(path: Path, content: str) -> str:
    """Write `content` to `path` unless it exists; return the file's content.

    Atomic across processes (parallel test workers, server and worker starting together):
    the content is written to a temporary file and hard-linked into place.
    """
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        tmp.write_text(content)
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text()


def make_private(folder: Path, *patterns: str) -> None:
    """Narrow `folder` to 0700 and what matches `patterns` in it to 0600 (0700 for
    directories). Files of another owner are left alone (and unreadable anyway)."""
    _chmod(folder, 0o700)
    for pattern in patterns:
        for path in folder.glob(pattern):
            _chmod(path, 0o700 if path.is_dir() else 0o600)


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except (FileNotFoundError, PermissionError):
        pass
