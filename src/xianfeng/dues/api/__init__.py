"""Dues endpoints (DUES-01, DUES-02), scoped like the pages (PLAT-01).

One router, mounted by `xianfeng.api` at /api/dues: the reads (a member's ledger, an org's
month, totals, arrears, reductions waiting for the user), the payments (one month, a
branch's month in one save, reversals, extra payments, closing a month) and the records
(base declarations, dues kinds, reductions, quarterly arrangements). The member, org or
object an endpoint acts on is in its path (404 out of scope, as missing); member codes
inside a body are resolved among the org's lines (422, out of scope as missing).
"""

from ninja import Router

from . import payments, reads, records

router = Router()
router.add_router("", reads.router)
router.add_router("", payments.router)
router.add_router("", records.router)

__all__ = ["router"]
