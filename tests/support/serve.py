"""`lendaria serve` driven from a test, as from a terminal, and waiting on flow runs through the API."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.api import get_json


class Serve:
    """`lendaria serve` in its own process group (so the test can press Ctrl-C on it like a terminal)."""

    def __init__(self, env: dict[str, str], cwd: Path):
        # As from a terminal: its own process group, and Ctrl-C not ignored (a test runner started in the
        # background of a non-interactive shell inherits SIGINT ignored, and so would every child).
        self.process = subprocess.Popen([sys.executable, "-m", "lendaria", "serve"], cwd=cwd, env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                                        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line
        pytest.fail(f"`lendaria serve` never printed {prefix!r}; output:\n" + "\n".join(self.seen[-40:]))

    def ctrl_c(self) -> int:
        """Ctrl-C as a terminal sends it (to the whole process group); its exit code."""
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            tree = subprocess.run(["ps", "-o", "pid,ppid,stat,etime,args", "-g", str(self.process.pid)],
                                  capture_output=True, text=True).stdout
            os.killpg(self.process.pid, signal.SIGKILL)
            time.sleep(1)
            while not self.lines.empty():
                self.seen.append(self.lines.get())
            pytest.fail("`lendaria serve` did not stop within 60 s of Ctrl-C; processes:\n" + tree
                        + "\noutput:\n" + "\n".join(self.seen[-40:]))


def wait_final(api: str, flow_run_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = get_json(f"{api}/flow_runs/{flow_run_id}")
        if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        time.sleep(1)
    pytest.fail(f"flow run {flow_run_id} did not finish in {timeout:.0f} s")
