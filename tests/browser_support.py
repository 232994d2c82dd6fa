"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by Playwright (never
``playwright install``, which downloads a browser from outside the package registries).

``ensure_chromium()`` finds the browser, installs Debian's package when running as root with
apt (as CI does), or says why it cannot; screenshots go to ``test-artifacts/browser/`` (or
``$MOCK_ORCID_ARTIFACTS``); ``assert_accessible`` runs axe-core in the page.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(os.environ.get("MOCK_ORCID_ARTIFACTS")
                 or Path(__file__).resolve().parents[1] / "test-artifacts") / "browser"
SERIOUS = ("serious", "critical")
screenshots: list[Path] = []


def ensure_chromium() -> tuple[str | None, str]:
    """(path to chromium, '') or (None, the reason it is missing)."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found, ""
    if not shutil.which("apt-get"):
        return None, "chromium is not installed and there is no apt-get to install it"
    if os.geteuid() != 0:
        return None, "chromium is not installed (as root: apt-get install -y chromium)"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0 and command[1] == "install":
            return None, "apt-get install chromium failed: %s" % done.stderr[-500:]
    found = shutil.which("chromium")
    return (found, "") if found else (None, "chromium still missing after apt-get install")


def shoot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    screenshots.append(path)
    return path


def assert_accessible(page, name: str) -> None:
    """axe-core (bundled by axe-playwright-python) finds no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    details = ["%s (%s): %s -> %s" % (v["id"], v["impact"], v["help"],
                                       [n["target"] for n in v["nodes"][:3]]) for v in bad]
    assert not bad, "accessibility violations on %s:\n%s" % (name, "\n".join(details))
