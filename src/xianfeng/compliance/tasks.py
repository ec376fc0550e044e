"""Running a background step of the compliance engine (run by `xianfeng worker`).

The tasks themselves (`recheck_task`, `patch_task`) live with the work they queue, in
`freshness`, which imports this module (and not the other way round). A step that meets
a locked database (another long write, SQLite's busy timeout passed) is tried again a few
times; if the lock persists the task fails with a clear message, which
the worker records. The worker itself goes on with the next task.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import OperationalError, close_old_connections

log = logging.getLogger(__name__)
ATTEMPTS = 3
PAUSE_SECONDS = 5.0  # times the attempt number


class DatabaseBusy(RuntimeError):
    """The database stayed locked through every attempt of a task's step."""


def _is_locked(error: OperationalError) -> bool:
    return "locked" in str(error).lower()


def persist(step: Callable[[], Any], what: str, *, attempts: int = ATTEMPTS) -> Any:
    """Run `step`, trying again after a pause while the database is locked."""
    for attempt in range(1, attempts + 1):
        try:
            return step()
        except OperationalError as error:
            if not _is_locked(error):
                raise
            if attempt == attempts:
                raise DatabaseBusy(
                    f"数据库持续被其他写入占用，{what}未完成（已尝试 {attempts} 次）；"
                    "请稍后在检查结果页重新检查"
                ) from error
            log.warning("%s时数据库被占用，第 %d 次重试：%s", what, attempt, error)
            close_old_connections()
            time.sleep(PAUSE_SECONDS * attempt)
    return None  # not reached
