"""Policies, rule registry, runs and findings arrive with the compliance-engine issue."""
