"""`python -m pytest_icdcheck …` is the `icdcheck` command."""

import sys

from pytest_icdcheck.commands.cli import main

sys.exit(main())
