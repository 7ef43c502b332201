"""`python -m tessel ...` is the `tessel` command (see tessel.cli)."""

import sys

from .cli import main

sys.exit(main())
