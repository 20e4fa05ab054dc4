"""The local SQLite store (no Qt): last known items, status history, HTTP validators.

Open it with `Store.open(default_path())`; see app.store.store for the API, app.store.schema
for migrations and app.store.recovery for what happens to a damaged file.
"""

from app.store.schema import MIGRATIONS, StoreTooNewError
from app.store.store import (
    BOARD_KEY,
    Store,
    StoredItem,
    Transition,
    default_path,
    to_observed,
)

__all__ = [
    "BOARD_KEY",
    "MIGRATIONS",
    "Store",
    "StoreTooNewError",
    "StoredItem",
    "Transition",
    "default_path",
    "to_observed",
]
