"""Entry point of the PyInstaller bundle."""

import sys

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
