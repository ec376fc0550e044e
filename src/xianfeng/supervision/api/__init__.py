"""Supervision endpoints (TASK-01, TASK-02), scoped like the pages (PLAT-01).

One router, mounted by `xianfeng.api` at /api/supervision; each module adds its own
endpoints through a router of its own, included here in this order (the order of the
routes and of the OpenAPI document): `items` (the problem, task and duty lists and their
rectification) and `secretaries` (projects, admonitions and proposals, duty reports).
"""

from ninja import Router

from . import items, secretaries

router = Router()
router.add_router("", items.router)
router.add_router("", secretaries.router)

__all__ = ["router"]
