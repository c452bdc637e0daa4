"""``python -m lendaria`` = the ``lendaria`` command (works even when pip's script folder is not on PATH)."""

from lendaria.cli import console

console()
