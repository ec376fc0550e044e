"""Recruitment endpoints (DEV-01 … DEV-07), scoped like the pages (PLAT-01).

One router, mounted by `xianfeng.api` at /api/recruitment; each module adds its endpoints
through a router of its own, included here.
"""

from ninja import Router

from . import pipeline

router = Router()
router.add_router("", pipeline.router)

__all__ = ["router"]
