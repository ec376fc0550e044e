"""Compliance rules of party dues (DUES-01, DUES-02), registered by requirement ID.

`settings.RULE_MODULES` names this package; each module registers its rule on import.
Both read the ledger's lines (`Due`) as `dues.ledger` keeps them."""

# isort: off
from . import (  # noqa: F401  (each module registers its rules on import)
    collection,  # DUES-01
    arrears,  # DUES-02
)
# isort: on
