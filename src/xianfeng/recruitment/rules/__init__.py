"""The recruitment rules (DEV-01 … DEV-06, MEM-03)."""
