"""Compliance rules of recruitment (DEV-01 … DEV-06, MEM-03), registered by requirement ID.

`settings.RULE_MODULES` names this package: importing it imports every rule module below,
in requirement order, and each registers its rules with `compliance.registry.rule`; the
reads and deadlines they share (with `recruitment.reminders`) live in `parts`, the people
of the pipeline in the shared fact `recruitment_people` (`recruitment/facts.py`). DEV-04
(candidates' files) and DEV-07 (the talent pool) are records kept through pages, not
checks.
"""

# Requirement order is registration order: keep it.
# isort: off
from . import (  # noqa: F401  (each module registers its rules on import)
    pipeline,  # DEV-01, DEV-02
    cultivation,  # DEV-03, DEV-05
    targets,  # DEV-06
    dual_lead,  # MEM-03
)
# isort: on
