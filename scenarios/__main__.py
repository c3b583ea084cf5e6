"""`python -m scenarios`: the huzhu command line."""

import sys

from scenarios.cli import main

sys.exit(main())
