"""Supervision endpoints (TASK-01, TASK-02), scoped like the pages (PLAT-01).

One router, mounted by `xianfeng.api` at /api/supervision; each module adds its own
endpoints through a router of its own, included here in this order (the order of the
routes and of the OpenAPI document): `items` (the problem, task and duty lists and their
rectification).
"""

from ninja import Router

from . import items

router = Router()
router.add_router("", items.router)

__all__ = ["router"]
