"""``python -m cli`` = the ``lendaria`` command."""

from cli import console

console()
