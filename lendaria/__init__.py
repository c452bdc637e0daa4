"""Lendária's shared package: settings, contract file I/O, paths, text utilities and the CLI.

Packs (``stages/*``) import from here; they never import each other.
"""

__version__ = "0.1.0"
