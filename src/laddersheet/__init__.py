"""laddersheet: career ladders in spreadsheets.

Pipeline: settings → catalog (O*NET seeds) → ladder → master workbook → scoring workbooks
→ ingest → gaps → reports.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("laddersheet")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+source"
