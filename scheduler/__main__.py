"""`python -m scheduler` runs the same command as the `scheduler` script."""

import sys

from scheduler.cli import main

sys.exit(main())
