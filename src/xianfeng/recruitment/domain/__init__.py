"""Writes of the recruitment pipeline (DEV-01, DEV-02): people (`people`), their dated
steps with the time rules of the national regulation (`steps`), admission and conversion
through the member registry (`admission`), mentors and introducers (`mentors`); and of
the cultivations, targets and talent pool (`cultivation`, `targets`, `talent`).

Every write is keyword-only with `by=user` (None: the command line), atomic, validated
with `full_clean` and Chinese messages keyed by field, and leaves history with its actor.
A time rule is checked at the moment of the step: a step that comes too early or too late
is refused with the rule, the dates involved and the source; nothing is written then.
"""
