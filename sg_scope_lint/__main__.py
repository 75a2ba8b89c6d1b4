"""`python -m sg_scope_lint` runs the command line."""

import sys

from .command import main

sys.exit(main())
