"""Org endpoints (ORG-01, ORG-02 …), scoped to the user's subtree (PLAT-01).

One router (`common.router`, mounted by `xianfeng.api`); each module adds its endpoints:
`orgs` (ORG-01, ORG-02), `leadership` (ORG-04, ORG-05), `contacts` (ORG-07), `venues`
(ORG-08), `budget` (ORG-09). They are imported in this order, which is the order of the
routes and of the OpenAPI document.
"""

# Route order is import order: keep it.
# isort: off
from .common import router
from . import orgs, leadership, contacts, venues, budget  # noqa: F401  (they add the routes)

# isort: on

OPERATION_PREFIX = "xianfeng_orgs_api_"


def _keep_operation_ids() -> None:
    """The OpenAPI operation IDs the endpoints had as one module (`xianfeng.orgs.api`),
    so that clients generated from the document keep their method names."""
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            operation.operation_id = operation.operation_id or (
                OPERATION_PREFIX + operation.view_func.__name__
            )


_keep_operation_ids()

__all__ = ["router"]
