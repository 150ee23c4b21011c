"""Hidden helper formulas that read a Score cell exactly as ingest's ``parse_score`` does."""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.worksheet import CellFormulaTuple, Worksheet

from ..settings import Scale
from ..workbook import (
    col_letter,
)
from .rows import COL_GAP_NEXT, COL_SCORE

# --- Reading a Score cell the way ingest does -------------------------------------------------
#
# The gap and readiness formulas must give every value a manager may type or paste the verdict
# ingest's ``parse_score`` gives it: accepted (as which number) or rejected. Hidden helper columns
# right of the table replay the parser step by step with classic functions only (Excel 2007+,
# LibreOffice, Google Sheets; no LET, REGEX or array formulas), each cell referring to its own row
# only, so sorted rows keep working. The last helper ("read as") holds the number the score is
# read as, "" for blank, or INVALID; the gaps, the counts and the colours all use it.

INVALID = "invalid"  # what the gap cells show for a score ingest would reject

# Characters Python's str.split() treats as whitespace (ingest collapses them), other than " ".
# Those that cannot stand in an xlsx formula as they are come from CHAR() (ASCII: the same in
# every code page); the others are written literally (CHAR(160) is not a space on a Mac).
# CHAR(1) too: LibreOffice shows formulas a tab as \x01 in a cell that also holds a line break
# (a real \x01 cannot be stored in an xlsx cell, so nothing else is read as a space).
_WHITESPACE_CODES = (9, 10, 11, 12, 13, 28, 29, 30, 31, 1)
_WHITESPACE_LITERALS = (
    "\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)
_QUOTES = "\"'“”‘’„«»"  # stripped from both ends, as ingest's _QUOTES
_SEPARATORS = "-–—:.)=/"  # between the number and the label, as ingest's _NUMBER_AND_LABEL
_DIGITS = "0123456789"
_PLACEHOLDER = "\ue000"  # stands for a space while quotes are trimmed: any character but space
_MARKS = tuple(map(chr, range(0xE001, 0xE0FF)))  # private use: one not in any label marks a spot

# Helper columns after the table (one blank column between), in calculation order.
_HELPERS = ("t1", "u", "t2", "b", "nd", "num", "u2", "r1", "r2", "lp", "lab", "nl", "read")
HELPER_FIRST_COL = COL_GAP_NEXT + 2
_HELPER_COL = {name: HELPER_FIRST_COL + i for i, name in enumerate(_HELPERS)}
COL_SCORE_READ = _HELPER_COL["read"]
ROW_TOKEN = "\x00"  # stands for the row number in a formula template


def _text(value: str) -> str:
    """A formula string literal."""
    return '"' + value.replace('"', '""') + '"'


def _substitute_all(expression: str, olds: Sequence[str], new: str) -> str:
    for old in olds:
        expression = f"SUBSTITUTE({expression},{old},{new})"
    return expression


def _label_lookup(text: str, scale: Scale) -> str:
    """The scale value whose label ``text`` is (as ingest: spaces collapsed, any case), or ""."""
    folded = f'SUBSTITUTE(LOWER({text}),"ß","ss")'  # LOWER, with casefold's commonest extra
    lookup = '""'
    for point in reversed(scale.points):
        key = " ".join(point.label.split()).casefold()
        lookup = f"IF(EXACT({folded},{_text(key)}),{point.value},{lookup})"
    return lookup


def score_reading_formulas(scale: Scale, *, shift: int = 0) -> dict[int, str]:
    """Helper column → formula template (``ROW_TOKEN`` stands for the row number), in column order.

    ``shift``: columns the helpers stand right of their usual place (a Last cycle column).

    A step by step copy of ``ingest.parse_score``:

    * a formula, an error, TRUE/FALSE or a date/time is invalid; a number must be whole and on
      the scale;
    * text is read after collapsing whitespace (every character Python counts as whitespace)
      and stripping quotes and spaces from both ends (t1, u, t2), as: a number such as "3",
      "+3", "03", "3.0" or "3,0" (b, nd, num); a label in any case (lab); the number with its
      label: "3 - Proficient", "3: Proficient", "3 (Proficient)", "3.Proficient" (u2 … nl), where
      the number and the label must agree.

    CELL("format") tells a date from a number: Excel answers "D1".."D9" for dates and times and
    "G" for General; LibreOffice "G" for dates and "F0" for General, so a blank General cell
    tells which answer applies. Google Sheets lacks CELL("format"): no date check there.

    Known limits (no manager types these): case folding beyond LOWER and "ß" (ligatures, final
    sigma); texts with more than 15 significant digits; in LibreOffice a number formatted as a
    fraction or as text reads as a date; a custom label that starts with a separator or "(".
    """
    labels = " ".join(p.label for p in scale.points)
    mark = _text(next(m for m in _MARKS if m not in labels))
    placeholder = _text(_PLACEHOLDER)
    helper_col = {name: col + shift for name, col in _HELPER_COL.items()}
    c = {name: f"{col_letter(col)}{ROW_TOKEN}" for name, col in helper_col.items()}
    s = f"{col_letter(COL_SCORE)}{ROW_TOKEN}"
    t1, u, t2, b, nd, u2, r1, r2 = (c[k] for k in ("t1", "u", "t2", "b", "nd", "u2", "r1", "r2"))
    spaces = [f"CHAR({code})" for code in _WHITESPACE_CODES] + list(
        map(_text, _WHITESPACE_LITERALS)
    )
    digits = list(map(_text, _DIGITS))
    quotes = list(map(_text, _QUOTES))
    is_digit = lambda x: f"ISNUMBER(FIND({x},{_text(_DIGITS)}))"  # noqa: E731 (x not "")
    is_separator = lambda x: f"ISNUMBER(FIND({x},{_text(_SEPARATORS)}))"  # noqa: E731
    # t2: t1 without the quote runs at its ends: in u quotes are spaces (and spaces are not), so
    # TRIM(u) starts at the first kept character; the last is found by marking its last instance.
    first = f"FIND(LEFT(TRIM({u}),1),{u})"
    last_char = f"RIGHT(TRIM({u}),1)"
    count = f'LEN({u})-LEN(SUBSTITUTE({u},{last_char},""))'
    last = f"FIND({mark},SUBSTITUTE({u},{last_char},{mark},{count}))"
    # num: "" when t2 is not [+-]?[0-9]+([.,][0-9]+)?, else the score or "x" (rejected)
    point = f'IF({nd}="",LEN({b})+1,FIND({nd},{b}))'
    value = f'IF(LEFT({t2},1)="-",-1,1)*VALUE(LEFT({b},{point}-1))'
    whole = f'SUBSTITUTE(MID({b},{point}+1,LEN({b})),"0","")=""'
    # r1: what follows the number and the separator (ingest's regex: optional space, then one of
    # the separators or a space); r2: that without one leading space and "("
    rest = f"MID({t2},FIND(LEFT(TRIM({u2}),1),{u2}),LEN({t2}))"
    second = f"MID({rest},2,1)"
    r1_formula = (
        f'IF(OR(TRIM({u2})="",NOT({is_digit(f"LEFT({t2},1)")})),{mark},'
        f'IF(LEFT({rest},1)=" ",'
        f'IF(AND({second}<>"",{is_separator(second)}),MID({rest},3,LEN({rest})),'
        f"MID({rest},2,LEN({rest}))),"
        f"IF({is_separator(f'LEFT({rest},1)')},MID({rest},2,LEN({rest})),{mark})))"
    )
    spaced = f'IF(LEFT({r1},1)=" ",MID({r1},2,LEN({r1})),{r1})'
    label_value = _label_lookup(c["lp"], scale)
    number = f"VALUE(LEFT({t2},FIND(LEFT(TRIM({u2}),1),{u2})-1))"
    is_date = (
        f'IFERROR(OR(LEFT(CELL("format",{s}),1)="D",AND(CELL("format",{s})="G",'
        f'CELL("format",${col_letter(helper_col["read"])}$1)="F0")),FALSE)'
    )
    invalid = _text(INVALID)
    formulas = {
        "t1": f'IF(ISTEXT({s}),TRIM({_substitute_all(s, spaces, chr(34) + " " + chr(34))}),"")',
        "u": _substitute_all(f'SUBSTITUTE({t1}," ",{placeholder})', quotes, '" "'),
        "t2": (
            f'IF(OR({t1}="",ISNUMBER(FIND({mark},{t1})),TRIM({u})=""),"",'
            f"TRIM(MID({t1},{first},{last}-{first}+1)))"
        ),
        "b": f'MID({t2},1+OR(LEFT({t2},1)="+",LEFT({t2},1)="-"),LEN({t2})+1)',
        "nd": _substitute_all(b, digits, '""'),
        "num": (
            f'IF(OR({b}="",AND({nd}<>"",{nd}<>".",{nd}<>","),NOT({is_digit(f"LEFT({b},1)")}),'
            f'NOT({is_digit(f"RIGHT({b},1)")})),"",IFERROR(IF(AND({whole},'
            f'{value}>={scale.minimum},{value}<={scale.maximum}),{value},"x"),"x"))'
        ),
        "u2": _substitute_all(f'SUBSTITUTE({t2}," ",{placeholder})', digits, '" "'),
        "r1": r1_formula,
        "r2": f'IF(LEFT({spaced},1)="(",MID({spaced},2,LEN({spaced})),{spaced})',
        "lp": (f'TRIM(IF(AND(LEN({r2})>=2,RIGHT({r2},1)=")"),LEFT({r2},LEN({r2})-1),{r2}))'),
        "lab": _label_lookup(t2, scale),
        "nl": f'IFERROR(IF({number}={label_value},{label_value},""),"")',
        "read": (
            f"IF(ISERROR({s}),{invalid},IF(IFERROR(_xlfn.ISFORMULA({s}),FALSE),{invalid},"
            f'IF(ISBLANK({s}),"",IF(ISLOGICAL({s}),{invalid},'
            f"IF(ISNUMBER({s}),IF(OR({is_date},{s}<{scale.minimum},{s}>{scale.maximum},"
            f"{s}<>INT({s})),{invalid},{s}),"
            f'IF({t1}="","",IF({c["num"]}<>"",IF(ISNUMBER({c["num"]}),{c["num"]},{invalid}),'
            f"IF(ISNUMBER({c['lab']}),{c['lab']},IF(ISNUMBER({c['nl']}),{c['nl']},{invalid})"
            f")))))))"
        ),
    }
    return {helper_col[name]: "=" + formulas[name] for name in _HELPERS}


def write_classic_formula(
    sheet: Worksheet, row: int, col: int, formula: str, cell_format: object = None
) -> None:
    """``sheet.write_formula(row, col, formula, cell_format, "")`` without its regex passes.

    xlsxwriter runs ~30 regular expressions over every formula to prefix Excel's newer functions
    with ``_xlfn.``; the reading formulas use classic functions only (a test checks) and come to
    some 4,000 characters a row, so those passes would cost most of the time ``sheets`` takes.
    The cell is stored exactly as ``write_formula`` stores it (xlsxwriter is pinned; a test
    compares the two).
    """
    if sheet._check_dimensions(row, col):
        raise ValueError(f"cell ({row}, {col}) is outside the worksheet")
    sheet.table[row][col] = CellFormulaTuple(formula.removeprefix("="), cell_format, "")


def column_range(col: int, first_row: int, last_row: int) -> str:
    """An absolute A1 range of one column, e.g. $H$19:$H$30 (rows 0-based)."""
    letter = col_letter(col)
    return f"${letter}${first_row + 1}:${letter}${max(first_row, last_row) + 1}"
