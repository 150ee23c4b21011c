#!/usr/bin/env python
"""laddersheet benchmarks: speed and memory of each stage against the raw libraries.

    python benchmarks/run.py [--sizes 200,1000,5000] [--out benchmarks/RESULTS.md]
                             [--workdir DIR] [--repeat 3] [--no-profile]

One run, on the same files: the master template (all families), then for each roster size a
synthetic roster, its scoring workbooks, filled copies (filling is not timed) and the ingest
to report + JSON. Every laddersheet step has a baseline doing the same I/O with the bare
libraries on the very same data:

* master / sheets: plain xlsxwriter writing exactly the cells laddersheet wrote (values,
  strings, formulas; read back with python-calamine + the sheet XML, outside the timing) with
  no styles, validation or protection;
* ingest: python-calamine reading every sheet of every returned file, plus plain xlsxwriter
  writing the report's cells, plus ``json.dump`` of the loaded gaps.json.

Every measured step runs in a fresh child process (this script with ``--child``), which
reports wall time, CPU time (user+sys) and its own peak RSS, so steps never pollute each
other. Sizes up to 1,000 run ``--repeat`` times and report medians. Missed targets are
profiled with cProfile; a hand-written "Findings" block in an existing RESULTS.md is kept.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import html
import importlib
import itertools
import json
import os
import pickle
import platform
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from xml.etree import ElementTree

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = (200, 1000, 5000)
REPEAT_UP_TO = 1000  # sizes up to this many employees are measured --repeat times
CHILD_MARK = "@@laddersheet-bench@@"
FINDINGS_START = "<!-- findings:start -->"
FINDINGS_END = "<!-- findings:end -->"
GIB = 2**30
MIB = 2**20

# Targets from the benchmark issue (#15).
MASTER_SECONDS = 3.0
SHEETS_RATIO = 0.8  # sheets on every core vs single-process plain xlsxwriter
INGEST_RATIO = 1.5
INGEST_RSS_SIZE = 5000
INGEST_RSS_BYTES = 1 * GIB
LINEAR_GROWTH = 1.3  # per-employee cost may rise at most this much from one size to the next
# The ratio targets are judged on wall time: laddersheet works on every core (``--jobs``), the
# baselines in one process, and the point is the time a person waits. Other processes on a
# shared machine stretch wall time, so the load average is recorded and the CPU columns shown.
# Per-employee cost (linearity) is judged on CPU time, all processes counted: it measures the
# work, which the number of cores does not change.
RATIO_VERDICT = "wall"
VERDICT = "cpu"

# Modules each laddersheet step needs, imported before the clock starts (their import is a
# fixed cost the baseline's libraries do not pay inside the clock either).
STEP_MODULES = {
    "master": ("main", "settings", "catalog", "ladder", "master", "workbook"),
    "sheets": ("main", "settings", "ladder", "master", "roster", "scoring", "workbook"),
    "ingest": ("main", "ladder", "master", "roster", "ingest", "gaps", "report", "sheetio"),
}


# =============================================================================================
# Child side: one measured step per process
# =============================================================================================


class Clock:
    """Wall and CPU (user+sys) time summed over the ``running()`` sections only.

    CPU includes the worker processes a step ran (``--jobs``: they are joined, so counted,
    before the step returns)."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time() + _children_cpu()
        try:
            yield
        finally:
            self.wall += time.perf_counter() - wall
            self.cpu += time.process_time() + _children_cpu() - cpu


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _preimport(stage: str) -> None:
    for name in STEP_MODULES[stage]:
        with contextlib.suppress(ImportError):
            importlib.import_module(f"laddersheet.{name}")


def _opt(value: str | None) -> Path | None:
    return Path(value) if value else None


def child_ls_master(p: dict, clock: Clock) -> dict:
    _preimport("master")
    from laddersheet.main import generate

    with clock.running():
        generate(_opt(p.get("settings")), Path(p["out"]))
    return {}


def child_ls_sheets(p: dict, clock: Clock) -> dict:
    _preimport("sheets")
    from laddersheet.main import make_sheets

    with clock.running():
        result = make_sheets(
            Path(p["master"]), Path(p["out_dir"]), Path(p["roster"]), jobs=p.get("jobs")
        )
    return {"files": len(result.paths), "employees": result.employees}


def child_ls_sheets_write(p: dict, clock: Clock) -> dict:
    """Only the writing part of ``make_sheets`` (master and roster are read off the clock)."""
    _preimport("sheets")
    from laddersheet.main import _read_master_strict
    from laddersheet.roster import read_roster
    from laddersheet.scoring import write_scoring_workbooks

    master = _read_master_strict(Path(p["master"]))
    employees = read_roster(Path(p["roster"]), master.ladder)
    with clock.running():
        paths = write_scoring_workbooks(master.ladder, employees, Path(p["out_dir"]))
    return {"files": len(paths)}


def child_ls_ingest(p: dict, clock: Clock) -> dict:
    _preimport("ingest")
    from laddersheet.main import ingest

    with clock.running():
        run = ingest(
            [Path(p["returned"])],
            Path(p["master"]),
            Path(p["out"]),
            json_path=Path(p["json"]),
            roster_path=_opt(p.get("roster")),
            jobs=p.get("jobs"),
        )
    return {"account": run.account_line, "errors": len(run.issues.errors)}


def child_ls_ingest_phases(p: dict, clock: Clock) -> dict:
    """``ingest`` split into its phases, the way ``main.ingest`` chains them (internal API:
    if it changes, only this breakdown is lost). CPU seconds per phase, every file read in
    this process (``jobs=1``), so the safe reader's share can be timed."""
    _preimport("ingest")
    import gc

    from laddersheet.gaps import compute_gaps
    from laddersheet.ingest import reader as ingest_module
    from laddersheet.main import BATCH_GC_THRESHOLD, _read_master_strict

    gc.set_threshold(*BATCH_GC_THRESHOLD)  # as main.ingest runs
    from laddersheet.report import write_json, write_report
    from laddersheet.roster import read_roster

    phases: dict[str, Clock] = {}

    def timed(name: str, call: Callable[[], object]) -> object:
        with clock.running(), phases.setdefault(name, Clock()).running():
            return call()

    from laddersheet.ingest import prefetch as prefetch_module  # where the safe read is called

    reader = prefetch_module.read_workbook
    safe_read = Clock()

    def read_workbook(*args, **kwargs):
        with safe_read.running():
            return reader(*args, **kwargs)

    prefetch_module.read_workbook = read_workbook
    master = timed("read master + roster", lambda: _read_master_strict(Path(p["master"])))
    roster = timed("read master + roster", lambda: read_roster(Path(p["roster"]), master.ladder))
    result = timed(
        "read returned files",
        lambda: ingest_module.ingest_files(
            [Path(p["returned"])], master.ladder, roster=roster, jobs=1
        ),
    )
    report = timed("compute gaps", lambda: compute_gaps(master.ladder, result))
    timed("write report.xlsx", lambda: write_report(report, Path(p["out"])))
    timed("write gaps.json", lambda: write_json(report, Path(p["json"])))
    cpu = {name: c.cpu for name, c in phases.items()}
    cpu["read returned files: sheetio.read_workbook"] = safe_read.cpu
    return {"phases": cpu}


def _load_stream(path: Path) -> Iterator[object]:
    with open(path, "rb") as handle:
        while True:
            try:
                yield pickle.load(handle)
            except EOFError:
                return


def _write_cells(sheet, cells: list[tuple]) -> None:
    """Plain xlsxwriter: typed writes, no formats."""
    string, number, formula = sheet.write_string, sheet.write_number, sheet.write_formula
    boolean, when = sheet.write_boolean, sheet.write_datetime
    for row, col, kind, value in cells:
        if kind == "s":
            string(row, col, value)
        elif kind == "n":
            number(row, col, value)
        elif kind == "f":
            formula(row, col, value[0], None, value[1])
        elif kind == "b":
            boolean(row, col, value)
        else:
            when(row, col, value)


def write_plain(stream: Path, out_dir: Path, clock: Clock) -> int:
    """Re-write the workbooks of a cell stream with plain xlsxwriter; returns the file count.

    The stream is read in chunks with the clock stopped, so the baseline neither pays for
    unpickling nor holds more than one chunk of cells besides what xlsxwriter keeps.
    """
    import xlsxwriter

    book = sheet = None
    files = 0
    for record in _load_stream(stream):
        kind = record[0]
        with clock.running():
            if kind == "book":
                book = xlsxwriter.Workbook(str(out_dir / record[1]))
            elif kind == "sheet":
                sheet = book.add_worksheet(record[1])
            elif kind == "cells":
                _write_cells(sheet, record[1])
            else:
                book.close()
                files += 1
        del record
    return files


def child_base_write(p: dict, clock: Clock) -> dict:
    """Plain xlsxwriter re-write of workbooks extracted to a cell stream."""
    return {"files": write_plain(Path(p["cells"]), Path(p["out_dir"]), clock)}


def child_base_ingest(p: dict, clock: Clock) -> dict:
    """Bare read of ingest's inputs (calamine: every sheet of the master and of each returned
    workbook; csv: the roster) + plain report write + the same JSON dump."""
    import python_calamine

    inputs = sorted(Path(p["returned"]).iterdir())
    cells = 0
    parts = {}
    read_inputs, read, write, dump = Clock(), Clock(), Clock(), Clock()

    def read_book(path: Path) -> int:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        return sum(sum(map(len, book.get_sheet_by_name(n).to_python())) for n in book.sheet_names)

    with clock.running(), read_inputs.running():
        cells += read_book(Path(p["master"]))
        with open(p["roster"], newline="", encoding="utf-8-sig") as handle:
            cells += sum(map(len, csv.reader(handle)))
    with clock.running(), read.running():
        for path in inputs:
            cells += read_book(path)
    write_plain(Path(p["report_cells"]), Path(p["out_dir"]), write)
    clock.wall += write.wall
    clock.cpu += write.cpu
    with open(p["json_in"], encoding="utf-8") as handle:
        data = json.load(handle)
    style = p["json_style"]
    out_json = Path(p["out_dir"]) / "gaps.json"
    with clock.running(), dump.running(), open(out_json, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=style["indent"], ensure_ascii=style["ensure_ascii"])
    for name, part in (("inputs", read_inputs), ("read", read), ("write", write), ("json", dump)):
        parts[name] = {"wall": part.wall, "cpu": part.cpu}
    return {"files": len(inputs), "cells_read": cells, "parts": parts}


CHILD_STEPS: dict[str, Callable[[dict, Clock], dict]] = {
    "ls_master": child_ls_master,
    "ls_sheets": child_ls_sheets,
    "ls_sheets_write": child_ls_sheets_write,
    "ls_ingest": child_ls_ingest,
    "ls_ingest_phases": child_ls_ingest_phases,
    "base_write": child_base_write,
    "base_ingest": child_base_ingest,
}


def _peak_rss_bytes() -> int:
    """This process's peak RSS. On Linux VmHWM, not ``ru_maxrss``: ``ru_maxrss`` survives
    fork + exec, so a child would report its parent's peak when that is higher."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _workers_peak_rss_bytes() -> int:
    """The largest peak RSS of the worker processes this process ran (0: none). An upper bound:
    a worker's ``ru_maxrss`` starts from this process's size when it was started."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def child_main(step: str, params: dict) -> None:
    clock = Clock()
    if step == "profile":
        info = child_profile(params)
    else:
        info = CHILD_STEPS[step](params, clock)
        info.update(wall=clock.wall, cpu=clock.cpu)
    info["rss"] = _peak_rss_bytes()
    info["workers_rss"] = _workers_peak_rss_bytes()
    print(CHILD_MARK + json.dumps(info), flush=True)


def child_profile(p: dict) -> dict:
    """Run one laddersheet step under cProfile; return where the time goes."""
    step = CHILD_STEPS[p["step"]]
    _preimport(p["stage"])
    profiler = cProfile.Profile()

    class ProfiledClock(Clock):
        @contextlib.contextmanager
        def running(self) -> Iterator[None]:
            with super().running():
                profiler.enable()
                try:
                    yield
                finally:
                    profiler.disable()

    clock = ProfiledClock()
    step(p["params"], clock)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in stats.values()) or 1.0
    rows = [
        {"where": _where(key), "self": tt, "cum": ct, "calls": nc, "from": _main_caller(stats, key)}
        for key, (_, nc, tt, ct, _) in stats.items()
    ]
    by_file: dict[str, float] = {}
    for key, (_, _, tt, _, _) in stats.items():
        where = _short_file(key[0])
        by_file[where] = by_file.get(where, 0.0) + tt
    own = [r for r in rows if r["where"].startswith("laddersheet/")]
    return {
        "wall": clock.wall,
        "total": total,
        "self": sorted(rows, key=lambda r: -r["self"])[:15],
        "own_cum": sorted(own, key=lambda r: -r["cum"])[:15],
        "files": sorted(by_file.items(), key=lambda kv: -kv[1])[:10],
    }


_WRAPPERS = ("re/__init__.py:", "xlsxwriter/worksheet.py:cell_wrapper")


def _main_caller(stats: dict, key: tuple) -> str:
    """The caller that spent the most time in the function (by cumulative time), looking
    through thin wrappers such as ``re.sub`` to the code that called them."""
    for _ in range(4):
        callers = stats.get(key, (0, 0, 0, 0, {}))[4]
        if not callers:
            return ""
        key = max(callers, key=lambda k: callers[k][3] if isinstance(callers[k], tuple) else 0)
        if not _where(key).startswith(_WRAPPERS):
            break
    return _where(key)


def _short_file(file: str) -> str:
    if file == "~":
        return "<built-in>"
    file = file.replace(os.sep, "/")
    for marker in ("/site-packages/", "/src/", "/lib/python3."):
        if marker in file:
            tail = file.split(marker, 1)[1]
            return tail.split("/", 1)[1] if marker == "/lib/python3." else tail
    return file


def _where(key: tuple[str, int, str]) -> str:
    file, _line, func = key
    if file == "~":
        return f"<built-in>:{func}"
    return f"{_short_file(file)}:{func}"


# =============================================================================================
# Parent side: data preparation (never timed)
# =============================================================================================

FIRST_NAMES = (  # noqa: SIM905
    "Ada Ben Chloé Dmitri Elif Farah Gustavo Hana Ivan Jia Kwame Léa Mateo Nadia Omar "
    "Priya Quinn Rosa Sven Tomás Uma Viktor Wen Ximena Yusuf Zoë Aiko Bilal Carmen Dara "
    "Emeka Fiona Goran Helga Imani Jonas Kiri Lars Mei Nils"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Abara Becker Costa Dubois Eriksen Fischer García Haddad Iyer Jensen Kowalski "
    "Lindqvist Moreau Nakamura O'Brien Petrova Quispe Rossi Sato Tanaka Umarov Varga Weber "
    "Xu Yilmaz Zhang Ahmed Brennan Carvalho Dimitrov Okafor Novak Schmidt Silva Murphy Kim "
    "Patel Ng Ali"
).split()
IC_LEVELS = (("L1", 15), ("L2", 30), ("L3", 30), ("L4", 18), ("L5", 7))


def family_ids() -> list[str]:
    from laddersheet.catalog import load_catalog

    catalog = load_catalog()
    families = getattr(catalog, "families", catalog)
    ids = [getattr(f, "family_id", None) or f for f in families]
    return [str(i) for i in ids]


def make_roster(size: int, families: list[str], seed: int) -> list[dict[str, str]]:
    """``size`` people: one top manager (M4, not scored), managers on the M track with 5-8
    reports each, ICs L1-L5; families mostly follow the manager's, some cross over."""
    rng = random.Random(seed * 1_000_003 + size)
    rows: list[dict[str, str]] = []
    reports: dict[str, int] = {}

    def person(manager: dict[str, str] | None, family: str, track: str, level: str) -> dict:
        number = len(rows) + 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        plain = f"{first}.{last}".lower().replace("'", "")
        row = {
            "employee_id": f"E{number:05d}",
            "name": f"{first} {last}",
            "email": f"{plain}.{number}@bench.example",
            "manager_id": manager["employee_id"] if manager else "",
            "manager_name": manager["name"] if manager else "",
            "family_id": family,
            "track": track,
            "level": level,
            "target_level": "",
        }
        rows.append(row)
        return row

    top = person(None, rng.choice(families), "M", "M4")
    queue: list[tuple[dict[str, str], int]] = [(top, 0)]  # managers waiting for their team
    head = 0
    while len(rows) < size and head < len(queue):
        manager, depth = queue[head]
        head += 1
        team = min(rng.randint(5, 8), size - len(rows))
        reports[manager["employee_id"]] = team
        for _ in range(team):
            left = size - len(rows) - 1  # people still to place after this one
            waiting = len(queue) - head
            if waiting * 6.5 < left:  # the managers in line cannot hold everyone left: manage
                family = manager["family_id"] if rng.random() < 0.7 else rng.choice(families)
                level = ("M3", "M2", "M1")[min(depth, 2)] if rng.random() < 0.8 else "M1"
                queue.append((person(manager, family, "M", level), depth + 1))
            else:
                family = manager["family_id"] if rng.random() < 0.85 else rng.choice(families)
                level = rng.choices([c for c, _ in IC_LEVELS], [w for _, w in IC_LEVELS])[0]
                row = person(manager, family, "IC", level)
                if level in ("L3", "L4") and rng.random() < 0.04:
                    row["target_level"] = "M1"  # aiming at the manager track
    for manager, _ in queue[head:]:  # managers left without a team are plain ICs
        if not reports.get(manager["employee_id"]) and manager is not top:
            manager["track"], manager["level"] = "IC", "L4"
    return rows


def write_roster(rows: list[dict[str, str]], path: Path) -> None:
    from laddersheet.roster import ROSTER_COLUMNS

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ROSTER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --- Cell extraction: what laddersheet wrote, for the baseline to write again ---------------

_REF = re.compile(r"([A-Z]+)([0-9]+)")
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _parse_ref(ref: str) -> tuple[int, int]:
    letters, digits = _REF.fullmatch(ref).groups()  # type: ignore[union-attr]
    col = 0
    for char in letters:
        col = col * 26 + ord(char) - 64
    return int(digits) - 1, col - 1


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip part of its XML."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL_NS}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{_NS}sheet"):
        target = targets.get(sheet.get(f"{_REL_NS}id"), "")
        parts[sheet.get("name", "")] = (
            target.lstrip("/") if target.startswith("/") else ("xl/" + target)
        )
    return parts


def _formulas(archive: zipfile.ZipFile, part: str) -> dict[tuple[int, int], str]:
    found = {}
    with archive.open(part) as handle:
        for _, element in ElementTree.iterparse(handle):
            if element.tag == f"{_NS}c":
                formula = element.find(f"{_NS}f")
                if formula is not None and formula.text:
                    found[_parse_ref(element.get("r", "A1"))] = "=" + formula.text
                element.clear()
    return found


def extract_cells(path: Path) -> list[tuple[str, list[tuple]]]:
    """Every non-empty cell of every sheet: (row, col, kind, value), formulas as text."""
    import python_calamine

    with zipfile.ZipFile(path) as archive:
        parts = _sheet_parts(archive)
        formulas = {name: _formulas(archive, part) for name, part in parts.items()}
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    sheets = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        sheet_formulas = formulas.get(name, {})
        cells: list[tuple] = []
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (r, c) in sheet_formulas:  # with its cached value, as laddersheet wrote it
                    cells.append((r, c, "f", (sheet_formulas.pop((r, c)), value)))
                    continue
                if isinstance(value, bool):
                    cells.append((r, c, "b", value))
                elif isinstance(value, int | float):
                    cells.append((r, c, "n", value))
                elif isinstance(value, str):
                    if value:
                        cells.append((r, c, "s", value))
                elif isinstance(value, datetime | date | dtime):
                    cells.append((r, c, "d", value))
                elif value is not None:
                    cells.append((r, c, "s", str(value)))
        cells.extend((r, c, "f", (text, 0)) for (r, c), text in sheet_formulas.items())
        cells.sort(key=lambda cell: (cell[0], cell[1]))
        sheets.append((name, cells))
    return sheets


STREAM_CHUNK = 20_000  # cells per pickled record


def extract_to_stream(paths: list[Path], out: Path) -> int:
    """Write the cells of ``paths`` as a stream of records: ("book", file name),
    ("sheet", name), ("cells", [...]) in chunks, ("close",). Returns the number of cells."""
    count = 0
    with open(out, "wb") as handle:

        def put(record: tuple) -> None:
            pickle.dump(record, handle, protocol=pickle.HIGHEST_PROTOCOL)

        for path in paths:
            put(("book", path.name))
            for name, cells in extract_cells(path):
                put(("sheet", name))
                for start in range(0, len(cells), STREAM_CHUNK):
                    put(("cells", cells[start : start + STREAM_CHUNK]))
                count += len(cells)
            put(("close",))
    return count


def json_style(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"[\[{]\n( +)", text)
    return {"indent": len(match.group(1)) if match else None, "ensure_ascii": text.isascii()}


# --- Filling: what managers send back (fast: edits the sheet XML inside the zip) ------------

_EVIDENCE = (
    "In the {month} {thing}, they went well beyond what the level asks; others copy it now.",
    "During the {thing} this cycle they were reliable and needed no reminders.",
    "Per the {month} retro: handled one unusual case well after a short check-in.",
    "Still needs help here; we agreed to pair on the next {thing}.",
    "Feedback from two peers on the {thing}: fine on routine work, unsure on unusual cases.",
)
_THINGS = ("launch", "quarterly plan", "customer escalation", "migration", "audit")
_MONTHS = ("January", "March", "May", "July", "September", "October")


@dataclass
class FillCount:
    files: int = 0
    scores: int = 0
    blanks: int = 0
    labels: int = 0
    typos: int = 0
    fallback: int = 0  # files filled with laddersheet.demo_fill (XML layout not recognised)


@dataclass
class _SheetFiller:
    rng: random.Random
    labels: dict[int, str]
    low: int
    high: int
    count: FillCount
    typo_left: bool
    cols: dict[str, str] = field(default_factory=dict)
    first_row: int = 0  # 1-based first row of the competency table

    def fill(self, xml: str) -> tuple[str, int]:
        score_col, evidence_col = self.cols["score"], self.cols["evidence"]
        expected = {
            int(row): float(value)
            for row, value in re.findall(
                rf'<c r="{self.cols["expected"]}(\d+)"[^>]*><v>([^<]*)</v></c>', xml
            )
        }
        decided: dict[int, int | None] = {}

        def score(match: re.Match) -> str:
            row, style = int(match.group(1)), match.group(2)
            if row < self.first_row:
                return match.group(0)
            target = expected.get(row, (self.low + self.high) / 2)
            draw = self.rng.random()
            if draw < 0.04:
                decided[row] = None
                self.count.blanks += 1
                return match.group(0)
            value = round(target + self.rng.choice((-1, 0, 0, 0, 0, 1, 1)))
            value = max(self.low, min(self.high, value))
            decided[row] = value
            self.count.scores += 1
            cell = f'<c r="{score_col}{row}" s="{style}"'
            if self.typo_left:
                self.typo_left = False
                self.count.typos += 1
                label = self.labels[value]
                return f'{cell} t="inlineStr"><is><t>{label[:1]}{label}</t></is></c>'
            if draw < 0.12:
                self.count.labels += 1
                text = f"{value} - {self.labels[value]}" if draw < 0.09 else self.labels[value]
                return f'{cell} t="inlineStr"><is><t>{html.escape(text)}</t></is></c>'
            return f"{cell}><v>{value}</v></c>"

        xml = re.sub(rf'<c r="{score_col}(\d+)" s="(\d+)"/>', score, xml)

        def evidence(match: re.Match) -> str:
            row, style = int(match.group(1)), match.group(2)
            if decided.get(row) is None or self.rng.random() >= 0.7:
                return match.group(0)
            text = self.rng.choice(_EVIDENCE).format(
                month=self.rng.choice(_MONTHS), thing=self.rng.choice(_THINGS)
            )
            return (
                f'<c r="{evidence_col}{row}" s="{style}" t="inlineStr">'
                f"<is><t>{html.escape(text)}</t></is></c>"
            )

        xml = re.sub(rf'<c r="{evidence_col}(\d+)" s="(\d+)"/>', evidence, xml)
        return xml, len(decided)


def fill_workbooks(paths: list[Path], out_dir: Path, seed: int) -> FillCount:
    from laddersheet.layout import SCORING_TABLE_HEADER_ROW
    from laddersheet.scoring import COL_EVIDENCE, COL_EXPECTED_NOW, COL_SCORE
    from laddersheet.settings import default_settings
    from laddersheet.workbook import col_letter

    scale = default_settings().scale
    labels = {p.value: p.label for p in scale.points}
    count = FillCount()
    rng = random.Random(seed)
    cols = {
        "score": col_letter(COL_SCORE),
        "evidence": col_letter(COL_EVIDENCE),
        "expected": col_letter(COL_EXPECTED_NOW),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for index, path in enumerate(sorted(paths)):
        filler = _SheetFiller(rng, labels, scale.minimum, scale.maximum, count, index == 0)
        filler.cols, filler.first_row = cols, SCORING_TABLE_HEADER_ROW + 2
        rows = 0
        target = out_dir / path.name
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as dest:
            for info in source.infolist():
                data = source.read(info)
                # the people's sheets; sheet1 is the cover (its table of people is no score)
                if info.filename.startswith("xl/worksheets/sheet") and not info.filename.endswith(
                    "/sheet1.xml"
                ):
                    xml, filled = filler.fill(data.decode("utf-8"))
                    rows += filled
                    data = xml.encode("utf-8")
                dest.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        count.files += 1
        if rows == 0:  # not the layout this filler knows: fall back on the slow, sure filler
            from laddersheet.demo_fill import fill_returned_workbooks

            fill_returned_workbooks([path], out_dir, scale, seed=seed + index, typo_file=-1)
            count.fallback += 1
    return count


# =============================================================================================
# Parent side: running and collecting measurements
# =============================================================================================


class ChildFailed(RuntimeError):
    pass


TREE_SAMPLE_SECONDS = 0.1  # how often the measured process tree's memory is sampled


def _tree_pids(root: int) -> list[int]:
    """``root`` and every process under it (Linux /proc; empty elsewhere or once gone)."""
    pids, queue = [], [root]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{pid}/task"):
                children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
                queue.extend(int(child) for child in children)
    return pids


def _tree_pss_bytes(root: int) -> int:
    """The memory a process tree takes now: the sum of its processes' PSS (shared pages split
    between the processes sharing them, so a forked worker's inherited pages count once)."""
    total = 0
    for pid in _tree_pids(root):
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
    return total


def run_child(step: str, params: dict, *, timeout: float = 3600) -> dict:
    """One measured step in a fresh process; its result, with ``tree_pss``: the peak of the
    process tree's memory (itself and its workers), sampled every TREE_SAMPLE_SECONDS (0 where
    /proc has no smaps_rollup)."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    command = [sys.executable, str(Path(__file__).resolve()), "--child", step, json.dumps(params)]
    peak = 0
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True, env=env)
        deadline = time.monotonic() + timeout
        while process.poll() is None:
            peak = max(peak, _tree_pss_bytes(process.pid))
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise subprocess.TimeoutExpired(command, timeout)
            time.sleep(TREE_SAMPLE_SECONDS)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    for line in reversed(stdout.splitlines()):
        if line.startswith(CHILD_MARK) and process.returncode == 0:
            return dict(json.loads(line[len(CHILD_MARK) :]), tree_pss=peak)
    tail = "\n".join((stderr or stdout).strip().splitlines()[-6:])
    raise ChildFailed(f"{step} failed (exit {process.returncode}):\n{tail}")


@dataclass
class Measure:
    wall: float
    cpu: float
    rss: int
    workers_rss: int  # the largest worker's peak (0: no workers), an upper bound
    tree_pss: int  # peak memory of the process and its workers together, sampled (0: unknown)
    runs: int
    info: dict  # the last run's
    results: list[dict]

    @classmethod
    def of(cls, results: list[dict]) -> Measure:
        return cls(
            wall=statistics.median(r["wall"] for r in results),
            cpu=statistics.median(r["cpu"] for r in results),
            rss=int(statistics.median(r["rss"] for r in results)),
            workers_rss=int(statistics.median(r.get("workers_rss", 0) for r in results)),
            tree_pss=int(statistics.median(r.get("tree_pss", 0) for r in results)),
            runs=len(results),
            info=results[-1],
            results=results,
        )

    def part_cpu(self, name: str) -> float | None:
        values = [r["parts"][name]["cpu"] for r in self.results if name in r.get("parts", {})]
        return statistics.median(values) if values else None


@dataclass
class Row:
    step: str
    size: int  # employees in the roster (0 for the master)
    files: int
    ours: Measure | None
    base: Measure | None
    error: str = ""
    note: str = ""

    def ratio(self, attr: str) -> float | None:
        if self.ours is None or self.base is None:
            return None
        base = getattr(self.base, attr)
        return getattr(self.ours, attr) / base if base else None

    def ratio_range(self, attr: str = RATIO_VERDICT) -> str:
        """Lowest and highest ratio over the (interleaved) run pairs: the noise band."""
        if self.ours is None or self.base is None or min(self.ours.runs, self.base.runs) < 2:
            return "–"
        pairs = zip(self.ours.results, self.base.results, strict=False)
        ratios = [a[attr] / b[attr] for a, b in pairs if b[attr]]
        return f"{min(ratios):.2f}–{max(ratios):.2f}×" if ratios else "–"

    def per_employee_ms(self, measure: Measure | None, attr: str = VERDICT) -> float | None:
        return getattr(measure, attr) / self.size * 1000 if measure and self.size else None


@dataclass
class Job:
    """One measured child step; ``folder`` (its output) is emptied before every run."""

    step: str
    params: dict
    folder: Path | None = None


def fresh_dir(path: Path) -> Callable[[], None]:
    def make() -> None:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)

    return make


def xlsx_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".xlsx") if folder.exists() else []


class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.rows: list[Row] = []
        self.profiles: list[tuple[str, dict]] = []
        self.phases: dict[int, dict[str, float]] = {}  # size → ingest phase → CPU s
        self.notes: list[str] = []
        self.master = workdir / "master_template.xlsx"
        self.started = time.perf_counter()
        self.load_at_start = _load_average()

    def log(self, text: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{elapsed:6.0f}s] {text}", flush=True)

    def run(self, job: Job, index: int, repeat: int) -> dict:
        if job.folder is not None:
            fresh_dir(job.folder)()
        result = run_child(job.step, job.params)
        self.log(
            f"    {job.step} run {index + 1}/{repeat}: {result['wall']:.2f} s wall, "
            f"{result['cpu']:.2f} s CPU, {result['rss'] / MIB:.0f} MiB"
        )
        return result

    def measure(self, job: Job, repeat: int) -> Measure:
        return Measure.of([self.run(job, index, repeat) for index in range(repeat)])

    def measure_pair(
        self, ours: Job, prepare_base: Callable[[], Job], repeat: int
    ) -> tuple[Measure, Measure]:
        """laddersheet and baseline runs interleaved (A B A B ...), so both see the same
        machine; the baseline job is prepared (cells extracted) after the first laddersheet
        run, from what it wrote."""
        ours_runs, base_runs = [], []
        base: Job | None = None
        for index in range(repeat):
            ours_runs.append(self.run(ours, index, repeat))
            base = base or prepare_base()
            base_runs.append(self.run(base, index, repeat))
        return Measure.of(ours_runs), Measure.of(base_runs)

    def repeat_for(self, size: int) -> int:
        return self.args.repeat if size <= REPEAT_UP_TO else 1

    def attempt(self, step: str, size: int, body: Callable[[], Row]) -> Row | None:
        try:
            row = body()
        except (ChildFailed, OSError, subprocess.TimeoutExpired, ValueError) as error:
            self.log(f"  {step} at {size}: FAILED: {error}")
            row = Row(step, size, 0, None, None, error=str(error).strip().splitlines()[-1])
        self.rows.append(row)
        return row if row.error == "" else None

    # --- Steps ---------------------------------------------------------------------------

    def run_master(self) -> bool:
        self.log("master template (all families)")

        def base() -> Job:
            stream = self.workdir / "master.cells.pkl"
            extract_to_stream([self.master], stream)
            plain = self.workdir / "plain" / "master"
            return Job("base_write", {"cells": str(stream), "out_dir": str(plain)}, plain)

        def body() -> Row:
            ours = Job("ls_master", {"out": str(self.master)})
            return Row("master", 0, 1, *self.measure_pair(ours, base, self.args.repeat))

        return self.attempt("master", 0, body) is not None

    def run_size(self, size: int, families: list[str]) -> None:
        self.log(f"size {size}")
        folder = self.workdir / f"n{size}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        roster = folder / "roster.csv"
        write_roster(make_roster(size, families, self.args.seed), roster)
        repeat = self.repeat_for(size)
        scoring, plain = folder / "scoring", folder / "plain"
        files: list[Path] = []
        cells = [0]

        def sheets_base() -> Job:
            files[:] = xlsx_files(scoring)
            stream = folder / "scoring.cells.pkl"
            cells[0] = extract_to_stream(files, stream)
            out = plain / "scoring"
            return Job("base_write", {"cells": str(stream), "out_dir": str(out)}, out)

        def sheets() -> Row:
            params = {"master": str(self.master), "out_dir": str(scoring), "roster": str(roster)}
            ours, base = self.measure_pair(Job("ls_sheets", params, scoring), sheets_base, repeat)
            return Row("sheets", size, len(files), ours, base, note=f"{cells[0]:,} cells")

        if self.attempt("sheets", size, sheets) is None:
            return

        def sheets_write() -> Row | None:
            params = {
                "master": str(self.master),
                "out_dir": str(folder / "scoring-write"),
                "roster": str(roster),
            }
            ours = self.measure(Job("ls_sheets_write", params, folder / "scoring-write"), repeat)
            base = next(r.base for r in self.rows if r.step == "sheets" and r.size == size)
            shutil.rmtree(folder / "scoring-write", ignore_errors=True)
            return Row("sheets (write only)", size, len(files), ours, base)

        if size <= REPEAT_UP_TO:  # the same split at the largest size is not worth its minutes
            self.attempt("sheets (write only)", size, sheets_write)

        self.log(f"  filling {len(files)} workbooks (not timed)")
        returned = folder / "returned"
        fill = fill_workbooks(files, returned, self.args.seed + size)
        self.notes.append(
            f"{size} employees: {fill.files} files filled, {fill.scores:,} scores "
            f"({fill.labels} typed as labels, {fill.typos} typo), {fill.blanks} left blank"
            + (f", {fill.fallback} files by demo_fill" if fill.fallback else "")
        )
        report_dir = folder / "report"

        def ingest_base() -> Job:
            stream = folder / "report.cells.pkl"
            cells[0] = extract_to_stream([report_dir / "report.xlsx"], stream)
            params = {
                "returned": str(returned),
                "master": str(self.master),
                "roster": str(roster),
                "report_cells": str(stream),
                "json_in": str(report_dir / "gaps.json"),
                "json_style": json_style(report_dir / "gaps.json"),
                "out_dir": str(plain / "report"),
            }
            return Job("base_ingest", params, plain / "report")

        def ingest() -> Row:
            params = {
                "returned": str(returned),
                "master": str(self.master),
                "out": str(report_dir / "report.xlsx"),
                "json": str(report_dir / "gaps.json"),
                "roster": str(roster),
            }
            ours, base = self.measure_pair(
                Job("ls_ingest", params, report_dir), ingest_base, repeat
            )
            note = f"{ours.info.get('account', '')}; report {cells[0]:,} cells"
            return Row("ingest", size, len(files), ours, base, note=note)

        if self.attempt("ingest", size, ingest) is None:
            return
        params = {
            "returned": str(returned),
            "master": str(self.master),
            "out": str(folder / "phases" / "report.xlsx"),
            "json": str(folder / "phases" / "gaps.json"),
            "roster": str(roster),
        }
        try:
            result = self.run(Job("ls_ingest_phases", params, folder / "phases"), 0, 1)
            self.phases[size] = result["phases"]
        except (ChildFailed, OSError, subprocess.TimeoutExpired) as error:
            self.log(f"  ingest phases at {size}: not measured: {error}")
        shutil.rmtree(folder / "phases", ignore_errors=True)

    # --- Targets and profiles ------------------------------------------------------------

    def find(self, step: str, size: int) -> Row | None:
        return next((r for r in self.rows if r.step == step and r.size == size and r.ours), None)

    def targets(self) -> list[tuple[str, str, bool | None, tuple[str, int] | None]]:
        """(target, measured, met or None when not measured, (step, size) to profile)."""
        out: list[tuple[str, str, bool | None, tuple[str, int] | None]] = []
        master = self.find("master", 0)
        if master and master.ours:
            ok = master.ours.cpu < MASTER_SECONDS
            out.append(
                (
                    f"master generation < {MASTER_SECONDS:g} s",
                    f"{master.ours.cpu:.2f} s CPU ({master.ours.wall:.2f} s wall)",
                    ok,
                    None if ok else ("master", 0),
                )
            )
        else:
            out.append((f"master generation < {MASTER_SECONDS:g} s", "not measured", None, None))
        for step, limit, what in (
            ("sheets", SHEETS_RATIO, "scoring-workbook generation ≤ {limit:g}× plain xlsxwriter"),
            ("ingest", INGEST_RATIO, "ingest ≤ {limit:g}× calamine + xlsxwriter + json"),
        ):
            for size in self.args.sizes:
                row = self.find(step, size)
                ratio = row.ratio(RATIO_VERDICT) if row else None
                label = f"{what.format(limit=limit)}, {size:,} employees"
                if ratio is None:
                    out.append((label, "not measured", None, None))
                    continue
                ok = ratio <= limit
                shown = f"{ratio:.2f}× wall ({row.ratio('cpu'):.2f}× CPU)"
                out.append((label, shown, ok, None if ok else (step, size)))
        row = self.find("ingest", INGEST_RSS_SIZE)
        limit = f"{INGEST_RSS_BYTES / GIB:g} GiB"
        label = f"ingest peak memory at {INGEST_RSS_SIZE:,} employees ≤ {limit}"
        if row and row.ours and row.ours.tree_pss:
            # forked workers share their parent's pages: RSS would count those once per process
            total = max(row.ours.tree_pss, row.ours.rss)
            shown = (
                f"{total / MIB:.0f} MiB (the process and its workers together: the peak of their "
                f"summed PSS, sampled every {TREE_SAMPLE_SECONDS:g} s; the process alone "
                f"{row.ours.rss / MIB:.0f} MiB)"
            )
            out.append((label, shown, total <= INGEST_RSS_BYTES, None))
        elif row and row.ours:
            # every worker counted at the largest one's peak: an upper bound of the total
            workers = (os.cpu_count() or 1) if row.ours.workers_rss else 0
            total = row.ours.rss + workers * row.ours.workers_rss
            shown = f"{total / MIB:.0f} MiB"
            if workers:
                shown += (
                    f" ({row.ours.rss / MIB:.0f} MiB + {workers} workers × at most "
                    f"{row.ours.workers_rss / MIB:.0f} MiB)"
                )
            out.append((label, shown, total <= INGEST_RSS_BYTES, None))
        else:
            out.append((label, "not measured", None, None))
        for step in ("sheets", "ingest"):
            costs = [
                (size, row.per_employee_ms(row.ours))
                for size in sorted(self.args.sizes)
                if (row := self.find(step, size)) is not None
            ]
            label = f"{step}: linear in employees (per-employee cost rises < {LINEAR_GROWTH:g}×)"
            if len(costs) < 2:
                out.append((label, "needs two sizes", None, None))
                continue
            shown = " → ".join(f"{ms:.2f}" for _, ms in costs) + " CPU ms/employee"
            growth = [b / a for (_, a), (_, b) in itertools.pairwise(costs) if a]
            ok = max(growth) < LINEAR_GROWTH
            worst = costs[growth.index(max(growth)) + 1][0]
            out.append((label, shown, ok, None if ok else (step, worst)))
        return out

    def profile_misses(self) -> None:
        wanted: dict[str, int] = {}
        for _, _, ok, where in self.targets():
            if ok is False and where is not None:
                step, size = where
                # profile at the size that missed, but not above --profile-max-size
                capped = max([s for s in self.args.sizes if s <= self.args.profile_max_size] or [0])
                wanted[step] = min(size, capped) if size else 0
        for step, size in wanted.items():
            self.log(f"profiling {step} at {size} employees (cProfile)")
            folder = self.workdir / f"n{size}"
            scratch = self.workdir / "profile"
            fresh_dir(scratch)()
            if step == "master":
                params = {"out": str(scratch / "master.xlsx")}
                spec = {"step": "ls_master", "stage": "master", "params": params}
            elif step == "sheets":
                params = {
                    "master": str(self.master),
                    "out_dir": str(scratch),
                    "roster": str(folder / "roster.csv"),
                    "jobs": 1,  # workers' time is invisible to cProfile in this process
                }
                spec = {"step": "ls_sheets", "stage": "sheets", "params": params}
            else:
                params = {
                    "returned": str(folder / "returned"),
                    "master": str(self.master),
                    "out": str(scratch / "report.xlsx"),
                    "json": str(scratch / "gaps.json"),
                    "roster": str(folder / "roster.csv"),
                    "jobs": 1,
                }
                spec = {"step": "ls_ingest", "stage": "ingest", "params": params}
            try:
                self.profiles.append((f"{step}, {size:,} employees", run_child("profile", spec)))
            except ChildFailed as error:
                self.log(f"  profile failed: {error}")
        shutil.rmtree(self.workdir / "profile", ignore_errors=True)


# =============================================================================================
# Report
# =============================================================================================


def machine() -> list[str]:
    from importlib import metadata

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    versions = []
    for package in ("laddersheet", "xlsxwriter", "python-calamine", "openpyxl", "defusedxml"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores",
        f"- RAM: {ram}",
        f"- OS: {platform.system()} {platform.release()} ({platform.machine()})",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- Libraries: {', '.join(versions)}",
    ]


def _load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _num(value: float | None, fmt: str = ".2f", suffix: str = "") -> str:
    return "–" if value is None else f"{value:{fmt}}{suffix}"


def results_table(rows: list[Row]) -> list[str]:
    lines = [
        "| step | employees | files | laddersheet wall s | CPU s | peak RSS MiB "
        "| baseline wall s | CPU s | peak RSS MiB | ratio wall | ratio CPU | wall ratio range "
        "| ratio RSS | CPU ms / employee | runs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row.error:
            lines.append(
                f"| {row.step} | {row.size or '–'} | – | failed: {row.error[:80]} "
                "| | | | | | | | | | | |"
            )
            continue
        ours, base = row.ours, row.base
        lines.append(
            "| "
            + " | ".join(
                [
                    row.step,
                    f"{row.size:,}" if row.size else "–",
                    str(row.files),
                    _num(ours.wall if ours else None),
                    _num(ours.cpu if ours else None),
                    _num(ours.rss / MIB if ours else None, ".0f"),
                    _num(base.wall if base else None),
                    _num(base.cpu if base else None),
                    _num(base.rss / MIB if base else None, ".0f"),
                    _num(row.ratio("wall"), ".2f", "×"),
                    _num(row.ratio("cpu"), ".2f", "×"),
                    row.ratio_range(),
                    _num(row.ratio("rss"), ".2f", "×"),
                    _num(row.per_employee_ms(ours), ".2f"),
                    str(ours.runs if ours else 0),
                ]
            )
            + " |"
        )
    return lines


def per_employee_table(rows: list[Row], sizes: list[int]) -> list[str]:
    lines = [
        "| step | " + " | ".join(f"{s:,}" for s in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for step in ("sheets", "sheets (write only)", "ingest"):
        for who in ("laddersheet", "baseline"):
            if step == "sheets (write only)" and who == "baseline":
                continue
            cells = []
            for size in sizes:
                row = next((r for r in rows if r.step == step and r.size == size), None)
                measure_ = None if row is None else (row.ours if who == "laddersheet" else row.base)
                cpu = row.per_employee_ms(measure_, "cpu") if row else None
                wall = row.per_employee_ms(measure_, "wall") if row else None
                cells.append(f"{_num(cpu)} / {_num(wall)}" if cpu is not None else "–")
            lines.append(f"| {step}, {who} | " + " | ".join(cells) + " |")
    return lines


INGEST_PHASES = (  # laddersheet phase, the baseline part that does the same I/O
    ("read master + roster", "inputs"),
    ("read returned files", "read"),
    ("read returned files: sheetio.read_workbook", None),
    ("compute gaps", None),
    ("write report.xlsx", "write"),
    ("write gaps.json", "json"),
)


def phases_table(bench: Bench) -> list[str]:
    sizes = [s for s in sorted(bench.args.sizes) if s in bench.phases]
    if not sizes:
        return ["Not measured."]
    lines = [
        "| phase | " + " | ".join(f"{s:,}: laddersheet | baseline" for s in sizes) + " |",
        "|---|" + "---:|---:|" * len(sizes),
    ]
    totals = {s: [0.0, 0.0] for s in sizes}
    for phase, part in INGEST_PHASES:
        cells = []
        for size in sizes:
            ours = bench.phases[size].get(phase)
            row = bench.find("ingest", size)
            base = row.base.part_cpu(part) if row and row.base and part else None
            if ":" not in phase:
                totals[size][0] += ours or 0.0
                totals[size][1] += base or 0.0
            cells += [_num(ours), _num(base)]
        label = "↳ of which the safe reader, sheetio.read_workbook" if ":" in phase else phase
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    cells = [f"**{_num(v)}**" for s in sizes for v in totals[s]]
    lines.append("| total | " + " | ".join(cells) + " |")
    return lines


def profile_section(profiles: list[tuple[str, dict]]) -> list[str]:
    if not profiles:
        return ["No target was missed, or profiling was switched off (`--no-profile`)."]
    lines: list[str] = []
    for title, data in profiles:
        total = data["total"]
        lines += [
            f"### {title}",
            "",
            f"cProfile, {data['wall']:.2f} s wall under the profiler, in one process (`--jobs "
            "1`: a worker's time is invisible to it); profiling slows pure Python code; shares "
            "are of the profiled time.",
            "",
            "Time by file (self time):",
            "",
            "| file | self s | share |",
            "|---|---:|---:|",
        ]
        lines += [f"| `{f}` | {s:.2f} | {s / total:.0%} |" for f, s in data["files"]]
        lines += ["", "Top functions by self time, with the caller that spent most in each:", ""]
        lines += ["| function | called mostly from | calls | self s | share |"]
        lines += ["|---|---|---:|---:|---:|"]
        lines += [
            f"| `{r['where']}` | `{r['from']}` | {r['calls']:,} | {r['self']:.2f} "
            f"| {r['self'] / total:.0%} |"
            for r in data["self"]
        ]
        lines += ["", "laddersheet functions by cumulative time:", ""]
        lines += ["| function | calls | cumulative s | share |", "|---|---:|---:|---:|"]
        lines += [
            f"| `{r['where']}` | {r['calls']:,} | {r['cum']:.2f} | {r['cum'] / total:.0%} |"
            for r in data["own_cum"]
        ]
        lines.append("")
    return lines


def kept_findings(out: Path) -> str:
    if out.exists():
        text = out.read_text(encoding="utf-8")
        if FINDINGS_START in text and FINDINGS_END in text:
            return text.split(FINDINGS_START, 1)[1].split(FINDINGS_END, 1)[0].strip("\n")
    return "No findings recorded yet."


def write_results(bench: Bench, out: Path, command: str, minutes: float) -> str:
    args = bench.args
    targets = bench.targets()
    mark = {True: "met", False: "**missed**", None: "not measured"}
    lines = [
        "# laddersheet benchmarks",
        "",
        f"Written by `{command}` on {datetime.now():%Y-%m-%d %H:%M}; the whole run took "
        f"{minutes:.1f} min. See [README.md](README.md) for what is measured and how.",
        "",
        "## Machine",
        "",
        *machine(),
        f"- Load average (1 min) at start / end of the run: {_num(bench.load_at_start)} / "
        f"{_num(_load_average())}: other work on the machine lengthens wall time more than "
        "CPU time.",
        "",
        "## Results",
        "",
        f"Median of {args.repeat} runs for sizes up to {REPEAT_UP_TO:,} employees, one run "
        "above; every run in a fresh process, each laddersheet run followed by a baseline run. "
        "Ratios are laddersheet / baseline of the medians; the wall ratio range is the lowest "
        "and highest ratio over those run pairs: the noise band of the machine. `sheets` is "
        "the whole `make_sheets` stage (reads the master and roster, then writes); `sheets "
        "(write only)` times just the writing against the same baseline (run up to "
        f"{REPEAT_UP_TO:,} employees). laddersheet runs with its default `--jobs` (every core "
        "where the work is large enough), the baselines in one process; CPU time counts every "
        "process (user+sys), so a CPU ratio is total work and a wall ratio the wait. Ratio "
        "targets are judged on wall time, linearity on CPU ms / employee (laddersheet's CPU "
        "time divided by the roster size). Other processes on a shared machine stretch wall "
        "time far more than CPU time: see the load average above. Peak RSS is the measured "
        "process's own; its workers' are counted in the memory target.",
        "",
        *results_table(bench.rows),
        "",
        "Per-employee cost, CPU / wall (ms per employee in the roster):",
        "",
        *per_employee_table(bench.rows, sorted(args.sizes)),
        "",
    ]
    lines += [
        "Where ingest's CPU time goes (laddersheet: one extra run split into phases, every "
        "file read in one process; baseline: median of its runs, split the same way; "
        "seconds):",
        "",
        *phases_table(bench),
        "",
    ]
    notes = [f"- {r.step}, {r.size:,}: {r.note}" for r in bench.rows if r.note and r.size]
    notes += [f"- filled: {n}" for n in bench.notes]
    if notes:
        lines += ["Data:", "", *notes, ""]
    lines += [
        "## Targets",
        "",
        "| target | measured | result |",
        "|---|---:|---|",
        *[f"| {label} | {value} | {mark[ok]} |" for label, value, ok, _ in targets],
        "",
        "## Profiles of missed targets",
        "",
        *profile_section(bench.profiles),
        "",
        "## Findings",
        "",
        FINDINGS_START,
        kept_findings(out),
        FINDINGS_END,
        "",
    ]
    text = "\n".join(lines)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return text


def print_summary(bench: Bench) -> None:
    print()
    for line in results_table(bench.rows):
        print(line)
    print()
    for label, value, ok, _ in bench.targets():
        state = {True: "met", False: "MISSED", None: "not measured"}[ok]
        print(f"  {state:>12}  {label}: {value}")


# =============================================================================================
# Entry point
# =============================================================================================


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--workdir", type=Path, help="keep the generated files here")
    parser.add_argument(
        "--repeat", type=int, default=5, help=f"runs per step for sizes ≤ {REPEAT_UP_TO:,}"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-profile", action="store_true", help="do not profile misses")
    parser.add_argument(
        "--profile-max-size",
        type=int,
        default=1000,
        help="profile a missed target at the largest size up to this (default 1000)",
    )
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, e.g. 200,1000,5000")
    if not args.sizes or min(args.sizes) < 7:
        parser.error("--sizes: each size must be at least 7 employees (one manager, 5 reports)")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child_main(argv[1], json.loads(argv[2]))
        return 0
    args = parse_args(argv)
    command = "python benchmarks/run.py " + " ".join(argv) if argv else "python benchmarks/run.py"
    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="laddersheet-bench-")) if temporary else args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    bench = Bench(args, workdir.resolve())
    try:
        if bench.run_master():
            families = family_ids()
            for size in args.sizes:
                bench.run_size(size, families)
        if not args.no_profile:
            bench.profile_misses()
        minutes = (time.perf_counter() - bench.started) / 60
        write_results(bench, args.out, command, minutes)
        print_summary(bench)
        print(f"\nwrote {args.out}")
    finally:
        if temporary:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if any(r.error for r in bench.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
