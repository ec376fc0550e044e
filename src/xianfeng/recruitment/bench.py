"""Bench floor queries of recruitment (`xianfeng bench check`)."""

FLOORS: dict[str, list[str]] = {}
