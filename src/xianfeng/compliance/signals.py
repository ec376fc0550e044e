"""Signals the compliance engine sends (subscribers connect in their app's `ready`)."""

from django.dispatch import Signal

# A run and its findings were stored and committed: `run` (a compliance.models.Run).
run_stored = Signal()
