"""Writes of the dues app: keyword-only, `by=user` (None: the command line), atomic,
validated with Chinese field errors, every reference resolved in the actor's scope."""
