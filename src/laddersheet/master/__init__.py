"""The master-template workbook: written from a ``Ladder``, edited by HR, read back into one.

``write_master`` lays the ladder out for people (a readable sheet per family, print-ready) and
for laddersheet (long tables with headers, defined names and dropdowns). ``read_master`` reads
the long tables back with python-calamine, tolerating what Excel and LibreOffice do to a file
(numbers as floats, moved rows, added rows, blank rows) and reporting every problem as an
``Issue`` with its sheet and cell. Only a file that is not a master at all raises.
"""

from .common import MasterRead
from .reader import read_master
from .writer import write_master

__all__ = ["MasterRead", "read_master", "write_master"]
