"""Loading the network stack (requests, urllib3 and the source adapters) once, one thread at a time.

They load with the first poll, not at start-up: the first picture comes from the store, and
they are a tenth of a second of a start. But the first poll runs on many pool threads at once,
and imports started on several threads at the same moment can deadlock inside importlib (a
package half-initialised by one thread while another enters its submodules: `_DeadlockError`),
leaving a module half-imported for the rest of the process — every item then read "internal
error: ImportError". So every lazy import of this stack goes through one lock
(`app.sources.import_lock`): the poller calls `load_network_stack()` before a job's fetch, and
`app.sources.http` takes the same lock before it first touches requests.
"""

from __future__ import annotations

from app.sources.import_lock import NETWORK_IMPORTS

_loaded = False


def load_network_stack() -> None:
    """Import requests, urllib3 and every source adapter, unless done already (then free)."""
    global _loaded
    if _loaded:
        return
    with NETWORK_IMPORTS:
        if _loaded:
            return
        from app.sources import (  # noqa: F401  (imported for their side effect: loaded)
            cctray,
            github_actions,
            gitlab,
            health,
            jenkins,
            session,
        )

        _loaded = True


__all__ = ["load_network_stack"]
