"""The one lock every lazy import of the network stack is taken under (see app/sources/loading.py).

Apart from `loading` so that `app.sources.http` can take it without importing the adapters
that import `http` themselves (no import cycle among the sources).
"""

from __future__ import annotations

import threading

NETWORK_IMPORTS = threading.RLock()

__all__ = ["NETWORK_IMPORTS"]
