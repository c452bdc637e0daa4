"""The test session's own installers of what pip cannot provide (tests/support/)."""

from __future__ import annotations

import pytest

from tests.support import chromium


def test_without_the_rights_to_install_chromium_the_session_fails_with_the_one_command_to_run(monkeypatch, tmp_path):
    monkeypatch.delenv("LENDARIA_CHROMIUM", raising=False)
    monkeypatch.setattr(chromium, "DEBIAN_BINARY", tmp_path / "absent" / "chromium")
    monkeypatch.setattr(chromium.os, "geteuid", lambda: 1000)
    monkeypatch.setenv("PATH", str(tmp_path))  # neither sudo nor apt-get on PATH
    assert chromium.find_chromium() is None
    with pytest.raises(chromium.ChromiumUnavailable, match="apt-get install -y --no-install-recommends chromium"):
        chromium.ensure_chromium()


def test_a_configured_browser_is_used_as_is_and_a_wrong_one_is_named(monkeypatch, tmp_path):
    browser = tmp_path / "my-chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    monkeypatch.setenv("LENDARIA_CHROMIUM", str(browser))
    assert chromium.ensure_chromium() == browser
    monkeypatch.setenv("LENDARIA_CHROMIUM", str(tmp_path / "nowhere"))
    with pytest.raises(chromium.ChromiumUnavailable, match="LENDARIA_CHROMIUM=.*nowhere is not an executable file"):
        chromium.ensure_chromium()
