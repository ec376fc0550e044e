"""Xianfeng (先锋): party-building work management with an executable rulebook."""

__version__ = "0.1.0"
