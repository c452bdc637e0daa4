"""Debian's Chromium for the UI test, found or installed on demand (as PostgREST is, beside it).

The README's test command must pass by itself on a fresh machine: when the browser is missing and the
user is root (or has passwordless sudo), the test session installs Debian's ``chromium`` package with
apt-get; otherwise it fails with the one command to run. ``LENDARIA_CHROMIUM`` points at another
browser binary. Run as a script to install it: ``python -m tests.support.chromium``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

# The real binary, not the /usr/bin wrapper script (which may leave the browser running when killed).
DEBIAN_BINARY = Path("/usr/lib/chromium/chromium")
INSTALL_COMMAND = "apt-get update && apt-get install -y --no-install-recommends chromium"


class ChromiumUnavailable(RuntimeError):
    pass


def find_chromium() -> Path | None:
    configured = os.environ.get("LENDARIA_CHROMIUM")
    candidate = Path(configured) if configured else DEBIAN_BINARY
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def _privileged_prefix() -> list[str] | None:
    """``[]`` as root, ``["sudo", "-n"]`` with passwordless sudo, None when packages cannot be installed."""
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True).returncode == 0:
        return [sudo, "-n"]
    return None


def install_chromium() -> Path:
    """apt-get install Debian's chromium (a few minutes on a fresh machine); raises with what to do."""
    if os.environ.get("LENDARIA_CHROMIUM"):
        raise ChromiumUnavailable(f"LENDARIA_CHROMIUM={os.environ['LENDARIA_CHROMIUM']} is not an executable file.")
    prefix = _privileged_prefix()
    apt = shutil.which("apt-get")
    if prefix is None or apt is None:
        raise ChromiumUnavailable(f"Chromium is needed for the UI test and is not installed at {DEBIAN_BINARY}. Install it: "
                                  f"sudo sh -c '{INSTALL_COMMAND}' (or set LENDARIA_CHROMIUM to a Chromium binary).")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "--no-install-recommends", "chromium"]):
        done = subprocess.run(prefix + command, env=env, capture_output=True, text=True, timeout=1200)
        if done.returncode != 0:
            raise ChromiumUnavailable(f"`{' '.join(command)}` failed ({done.returncode}): {done.stderr.strip()[-800:]}. "
                                      f"Install it yourself: sudo sh -c '{INSTALL_COMMAND}'.")
    found = find_chromium()
    if found is None:
        raise ChromiumUnavailable(f"apt-get installed chromium but {DEBIAN_BINARY} is not there; set LENDARIA_CHROMIUM.")
    return found


def ensure_chromium() -> Path:
    return find_chromium() or install_chromium()


if __name__ == "__main__":
    path = ensure_chromium()
    print(subprocess.run([str(path), "--version"], capture_output=True, text=True).stdout.strip(), "at", path)
    sys.exit(0)
