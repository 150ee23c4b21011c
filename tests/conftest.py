import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_ONET = REPO.parent / "shared" / "onet-raw"


def pytest_collection_modifyitems(config, items):
    """LibreOffice, Gnumeric and browser tests skip on a machine without them, never in CI."""
    _skip_without(items, "libreoffice", ("soffice",), "LibreOffice (soffice)")
    _skip_without(items, "gnumeric", ("ssconvert",), "Gnumeric (ssconvert)")
    _skip_without(items, "browser", ("chromium", "chromium-browser"), "Chromium (chromium)")


def _skip_without(items, marker: str, programs: tuple[str, ...], name: str) -> None:
    if any(shutil.which(program) for program in programs):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI must install {name}: see .ci/run")
    skip = pytest.mark.skip(reason=f"{name} is not installed")
    for item in items:
        if marker in item.keywords:
            item.add_marker(skip)
