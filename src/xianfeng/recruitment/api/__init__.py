"""Recruitment endpoints (DEV-01 … DEV-07), scoped like the pages (PLAT-01).

One router, mounted by `xianfeng.api` at /api/recruitment; each module adds its endpoints
through a router of its own, included here.
"""

from ninja import Router

from . import cultivation, pipeline, talent, targets

router = Router()
router.add_router("", pipeline.router)
router.add_router("", cultivation.router)
router.add_router("", targets.router)
router.add_router("", talent.router)

__all__ = ["router"]
