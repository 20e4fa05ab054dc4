"""Releasable: can we deploy to production right now?"""

__version__ = "0.1.0"
