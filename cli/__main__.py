"""`python -m cli`: the huzhu command line."""

import sys

from cli.main import main

sys.exit(main())
