"""`python -m sg_scope_lint` runs the command line."""

import sys

from .cli import main

sys.exit(main())
