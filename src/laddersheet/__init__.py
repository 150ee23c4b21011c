"""laddersheet: career ladders in spreadsheets.

Pipeline: settings → catalog (O*NET seeds) → ladder → master workbook → scoring workbooks
→ ingest → gaps → reports.
"""

__version__ = "0.1.0"  # the one place it is written: pyproject.toml reads it from here
