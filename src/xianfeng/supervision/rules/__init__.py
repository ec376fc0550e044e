"""Compliance rules of supervision (TASK-01 … TASK-07), registered by requirement ID.

`settings.RULE_MODULES` names this package: importing it imports every rule module below,
in requirement order, and each registers its rules with `compliance.registry.rule`; the
reads they share live in `parts`. TASK-03 (the three-level duty lists) is work done
through duty items, judged by TASK-01 when they are overdue.
"""

# Requirement order is registration order: keep it.
# isort: off
from . import (  # noqa: F401  (each module registers its rules on import)
    items,  # TASK-01, TASK-02
    rhythm,  # TASK-04
    secretaries,  # TASK-05, TASK-06, TASK-07
)
# isort: on
