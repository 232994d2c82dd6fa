"""Shared test helpers. The ``mock_orcid`` fixture itself comes from the package's pytest plugin."""
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]   # the pytest plugin's own options are tested in inner sessions

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
OFFICIAL_MODEL = SHARED / "orcid-model"


@pytest.fixture
def official_model() -> Path:
    if not OFFICIAL_MODEL.is_dir():
        pytest.skip("ORCID's official schemas are not beside the project (../shared/orcid-model); "
                    "conformance against them cannot be checked here")
    return OFFICIAL_MODEL


def pytest_terminal_summary(terminalreporter):
    """Say where the browser tests left their screenshots (artefacts for CI and people)."""
    import browser_support
    if browser_support.screenshots:
        terminalreporter.write_line("browser screenshots (%d): %s" % (
            len(browser_support.screenshots), browser_support.ARTIFACTS))
