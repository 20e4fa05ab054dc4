"""`python -m app` is `releasable`."""

import sys

from app.cli import main

sys.exit(main())
