"""Backup and restore (issue 13): one tar archive holding the database, the uploaded files
and the key files, with a manifest. Modules: `common` (names, types, tar and folder
helpers), `keys`, `sqlite`, `postgres`, `backing_up`, `restoring`.

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

from .backing_up import backup
from .common import BackupError, Outcome
from .keys import check_id_keys, current_keys, live_samples, open_keys, seal_keys, verify_live_keys
from .restoring import restore

__all__ = [
    "BackupError",
    "Outcome",
    "backup",
    "check_id_keys",
    "current_keys",
    "live_samples",
    "open_keys",
    "restore",
    "seal_keys",
    "verify_live_keys",
]
