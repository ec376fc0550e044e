"""How the web server runs: its worker count and each worker's start.

The pages are CPU-bound Python (templates, the ORM) with short queries, so one sync worker
per core keeps every core busy without the workers taking turns on a core; more workers only
add context switches and memory (docs/deploy.md has the measurements).
"""

from __future__ import annotations

import gc
import os

WORKERS_ENV = "XIANFENG_WORKERS"


def cores() -> int:
    """The cores this process may run on (the affinity mask, as `nproc` counts them)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_workers() -> int:
    """`XIANFENG_WORKERS` when set to a positive whole number, else one worker per core."""
    text = os.environ.get(WORKERS_ENV, "").strip()
    if text.isdigit() and int(text) > 0:
        return int(text)
    return cores()


def freeze_startup_objects() -> None:
    """Load what every request needs (the URL patterns import every view), then move the
    objects made so far out of the garbage collector's reach.

    A worker holds ≈ 340,000 objects after start; without this each full collection walks
    them all (≈ 0.2 s, paid by whichever request allocates at that moment)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  imports every app's views
    gc.collect()
    gc.freeze()
