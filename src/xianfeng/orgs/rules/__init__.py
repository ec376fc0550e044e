"""Compliance rules of organization setup (ORG-03 …), registered by requirement ID.

`settings.RULE_MODULES` names this package: importing it imports every rule module below,
in requirement order, and each registers its rule with `compliance.registry.rule`. Reads
the rules share live in `_reads`.
"""

# Requirement order is registration order: keep it.
# isort: off
from . import (  # noqa: F401  (each module registers its rule on import)
    setup,  # ORG-03
    leadership,  # ORG-04
    vacancies,  # ORG-05
    contacts,  # ORG-07
    staffing,  # ORG-08
    budget,  # ORG-09
)
# isort: on
