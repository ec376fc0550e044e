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
