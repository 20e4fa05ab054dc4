"""`releasable` and its subcommands; `app.cli:main` is the console script."""

from app.cli.main import main

__all__ = ["main"]
