"""`python -m sg_scope_lint` runs the command line."""

import sys

from .quick import main

sys.exit(main())
