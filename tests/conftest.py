import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_ONET = REPO.parent / "shared" / "onet-raw"


def pytest_collection_modifyitems(config, items):
    """LibreOffice tests skip on a developer machine without it, but never silently in CI."""
    if shutil.which("soffice"):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must install LibreOffice (soffice): see .ci/run")
    skip = pytest.mark.skip(reason="LibreOffice (soffice) is not installed")
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(skip)
