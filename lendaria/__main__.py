"""``python -m lendaria`` = the ``lendaria`` command (works even when pip's script folder is not on PATH).

The command line is a layer above this package (``cli/``); this module finds it through the installed
distribution's ``lendaria`` console script, so nothing in the shared package imports it."""

import sys
from importlib.metadata import entry_points

found = entry_points(group="console_scripts", name="lendaria")
if not found:
    sys.exit("error: the lendaria command is not installed. Install the project first: python -m pip install -e .")
next(iter(found)).load()()
