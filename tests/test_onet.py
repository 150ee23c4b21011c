"""The O*NET importer: fixtures in both official layouts, then the real release if present."""

from __future__ import annotations

import atexit
import csv
import json
import shutil
import tempfile
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import openpyxl
import pytest

from laddersheet.errors import OnetError
from laddersheet.onet import OUTPUT_FILES, attribution_text, build_seeds

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "onet"


def _materialise_text_fixture() -> Path:
    """Our small fixtures in O*NET's 29.2 text layout, under the official file names.

    They are stored as ``Name.fixture.txt`` so nobody mistakes them for raw release files
    (which are never committed).
    """
    folder = Path(tempfile.mkdtemp(prefix="onet-text-fixture-"))
    atexit.register(shutil.rmtree, folder, True)
    for source in (FIXTURES / "text_29_2").iterdir():
        shutil.copy(source, folder / source.name.replace(".fixture.txt", ".txt"))
    return folder


TEXT_29_2 = _materialise_text_fixture()
FAMILY_MAP = FIXTURES / "families.toml"
# The raw releases sit next to the checkout: /work/main/../shared/onet-raw.
RAW = REPO.parent / "shared" / "onet-raw"
SEEDS = REPO / "seeds" / "onet"

# Columns O*NET's Excel release stores as numbers (8 -> 8.0, "n/a" -> an empty cell).
NUMERIC = {
    "Data Value",
    "N",
    "Standard Error",
    "Lower CI Bound",
    "Upper CI Bound",
    "Task ID",
    "Job Zone",
    "Anchor Value",
    "Incumbents Responding",
}
CSV_OUTPUTS = [f for f in OUTPUT_FILES if f.endswith(".csv")] + ["FAMILIES.md"]


def read_tab(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def write_readme(folder: Path, release: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Read Me.txt").write_text(f"O*NET {release} Database\nTest fixture\n")


def write_excel_layout(src: Path, dst: Path, release: str, names: Iterable[str] | None = None):
    """Write the text fixtures as O*NET's Excel release does: floats, empty n/a, extra columns."""
    write_readme(dst, release)
    titles = {r[0]: r[1] for r in read_tab(src / "Occupation Data.txt")[1:]}
    wanted = set(names) if names is not None else None
    for txt in sorted(src.glob("*.txt")):
        if txt.name == "Read Me.txt" or (wanted is not None and txt.stem not in wanted):
            continue
        header, *rows = read_tab(txt)
        ratings = "Scale ID" in header and "Data Value" in header
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = txt.stem[:31]
        out_header = list(header)
        if ratings:  # the Excel rating files also carry the occupation title and scale name
            out_header.insert(1, "Title")
            out_header.insert(out_header.index("Scale ID") + 1, "Scale Name")
        ws.append(out_header)
        for row in rows:
            cells: dict[str, object] = {}
            for column, value in zip(header, row, strict=True):
                if value == "n/a":
                    cells[column] = None
                elif column in NUMERIC:
                    cells[column] = float(value)
                else:
                    cells[column] = value
            if ratings:
                cells["Title"] = titles[row[0]]
                cells["Scale Name"] = {"IM": "Importance", "LV": "Level"}[cells["Scale ID"]]
            ws.append([cells[c] for c in out_header])
        wb.save(dst / f"{txt.stem}.xlsx")


def read_out(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUT_FILES}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def copy_text(tmp_path: Path, name: str = "text") -> Path:
    folder = tmp_path / name
    shutil.copytree(TEXT_29_2, folder)
    return folder


@pytest.fixture(scope="module")
def text_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("text_build")
    build_seeds([TEXT_29_2], out, FAMILY_MAP)
    return out


@pytest.fixture(scope="module")
def excel_29_2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("excel") / "excel_29_2"
    write_excel_layout(TEXT_29_2, folder, "29.2")
    return folder


# --- fixtures, text layout --------------------------------------------------------------------


def test_text_layout_builds_every_file(text_build: Path) -> None:
    assert sorted(p.name for p in text_build.iterdir()) == sorted(OUTPUT_FILES)
    for name in OUTPUT_FILES:
        data = (text_build / name).read_bytes()
        assert b"\r" not in data and data.endswith(b"\n"), name
        data.decode("utf-8")


def test_ratings_are_normalised_and_sorted(text_build: Path) -> None:
    rows = read_csv(text_build / "ratings.csv")
    # Only mapped codes: 15-1252.00 is in Work Styles but in no family.
    assert {r["onetsoc_code"] for r in rows} == {"11-3021.00", "15-1251.00"}
    keys = [(r["onetsoc_code"], r["element_id"], r["scale_id"]) for r in rows]
    assert keys == sorted(keys)
    by_key = {k: r for k, r in zip(keys, rows, strict=True)}
    # "n/a" (text) and empty (Excel) both become "".
    assert by_key[("15-1251.00", "2.C.3.a", "IM")] == {
        "onetsoc_code": "15-1251.00",
        "element_id": "2.C.3.a",
        "scale_id": "IM",
        "data_value": "4.80",
        "n": "",
        "recommend_suppress": "",
        "not_relevant": "",
    }
    assert by_key[("15-1251.00", "2.B.1.a", "LV")]["not_relevant"] == "Y"
    assert by_key[("15-1251.00", "2.B.1.a", "IM")]["recommend_suppress"] == "Y"
    assert by_key[("15-1251.00", "1.C.1.a", "IM")]["recommend_suppress"] == ""
    assert by_key[("11-3021.00", "1.C.4.b", "IM")]["n"] == "28"
    assert {r["scale_id"] for r in rows if r["element_id"].startswith("1.C.")} == {"IM"}


def test_elements_tasks_and_links(text_build: Path) -> None:
    elements = {r["element_id"]: r["category"] for r in read_csv(text_build / "elements.csv")}
    assert elements == {
        "1.C.1.a": "work_style",
        "1.C.4.b": "work_style",
        "2.A.1.a": "skill",
        "2.A.1.b": "skill",
        "2.B.1.a": "skill",
        "2.C.3.a": "knowledge",
        "2.C.4.a": "knowledge",
        "4.A.1.a.1": "work_activity",
        "4.A.3.b.1": "work_activity",
    }
    tasks = read_csv(text_build / "tasks.csv")
    assert [(t["onetsoc_code"], t["task_id"]) for t in tasks] == [
        ("11-3021.00", "987"),
        ("11-3021.00", "1000"),
        ("15-1251.00", "1267"),
        ("15-1251.00", "1268"),
    ]
    assert tasks[2]["task_type"] == ""  # "n/a" in the release
    assert '"batch"' in tasks[3]["task"]  # O*NET text files are unquoted
    links = read_csv(text_build / "task_activities.csv")
    assert {(r["task_id"], r["activity_element_id"]) for r in links} == {
        ("1000", "4.A.1.a.1"),
        ("1267", "4.A.1.a.1"),
        ("1267", "4.A.3.b.1"),
        ("1268", "4.A.3.b.1"),
    }
    anchors = read_csv(text_build / "anchors.csv")
    assert [(a["element_id"], a["anchor_value"]) for a in anchors][:3] == [
        ("2.A.1.a", "2"),
        ("2.A.1.a", "4"),
        ("2.A.1.a", "6"),
    ]
    assert "1.A.1.a.1" not in {a["element_id"] for a in anchors}
    pairs = [
        (r["skill_element_id"], r["activity_element_id"])
        for r in read_csv(text_build / "skill_activities.csv")
    ]
    assert pairs == [("2.A.1.a", "4.A.1.a.1"), ("2.A.1.a", "4.A.3.b.1"), ("2.B.1.a", "4.A.1.a.1")]


def test_families_and_manifest(text_build: Path) -> None:
    families = read_csv(text_build / "families.csv")
    assert [f["family_id"] for f in families] == ["software_engineering", "it"]
    assert families[1]["ic_codes"] == "15-1251.00;11-3021.00"
    occupations = read_csv(text_build / "occupations.csv")
    assert [(o["onetsoc_code"], o["job_zone"]) for o in occupations] == [
        ("11-3021.00", "4"),
        ("15-1251.00", "4"),
    ]
    manifest = json.loads((text_build / "manifest.json").read_text())
    assert manifest["releases"] == ["29.2"]
    assert manifest["attribution"] == attribution_text(["29.2"])
    assert "from the O*NET 29.2 Database by" in manifest["attribution"]
    assert {i["file"] for i in manifest["inputs"]} >= {"Skills.txt", "Work Styles.txt"}
    assert (text_build / "manifest.json").read_text().endswith("}\n")
    assert "Computer Programmers" in (text_build / "FAMILIES.md").read_text()


def test_build_is_reproducible(text_build: Path, tmp_path: Path) -> None:
    build_seeds([TEXT_29_2], tmp_path, FAMILY_MAP)
    assert read_out(tmp_path) == read_out(text_build)


def test_attribution_names_every_release() -> None:
    text = attribution_text(["29.0", "29.2"])
    assert text.startswith("This page includes information from the O*NET 29.0 and 29.2 Databases")
    assert "O*NET® is a trademark of USDOL/ETA." in text
    assert text.endswith(
        "laddersheet has modified all or some of this information. USDOL/ETA has not "
        "approved, endorsed, or tested these modifications."
    )


# --- fixtures, Excel layout -------------------------------------------------------------------


def test_excel_layout_gives_identical_csvs(text_build: Path, excel_29_2: Path, tmp_path: Path):
    assert not list(excel_29_2.glob("*.txt"))[1:]  # only Read Me.txt
    build_seeds([excel_29_2], tmp_path, FAMILY_MAP)
    for name in CSV_OUTPUTS:
        assert (tmp_path / name).read_bytes() == (text_build / name).read_bytes(), name
    excel_manifest = json.loads((tmp_path / "manifest.json").read_text())
    text_manifest = json.loads((text_build / "manifest.json").read_text())
    assert excel_manifest["attribution"] == text_manifest["attribution"]
    assert {i["file"] for i in excel_manifest["inputs"]} >= {"Skills.xlsx", "Knowledge.xlsx"}


def test_mixed_releases_like_the_real_build(text_build: Path, tmp_path: Path) -> None:
    text = copy_text(tmp_path)
    (text / "Skills.txt").unlink()
    (text / "Knowledge.txt").unlink()
    excel = tmp_path / "excel_29_0"
    write_excel_layout(TEXT_29_2, excel, "29.0", names=["Skills", "Knowledge"])
    out = tmp_path / "out"
    build_seeds([text, excel], out, FAMILY_MAP)
    assert (out / "ratings.csv").read_bytes() == (text_build / "ratings.csv").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["releases"] == ["29.0", "29.2"]
    assert "O*NET 29.0 and 29.2 Databases" in manifest["attribution"]
    releases = {i["file"]: i["release"] for i in manifest["inputs"]}
    assert releases["Skills.xlsx"] == "29.0" and releases["Work Styles.txt"] == "29.2"
    source_md = (out / "SOURCE.md").read_text()
    assert "--source ../shared/onet-raw/text --source ../shared/onet-raw/excel_29_0" in source_md


def test_newest_release_wins(tmp_path: Path) -> None:
    old = tmp_path / "old_28_0"
    write_excel_layout(TEXT_29_2, old, "28.0", names=["Skills"])
    out = tmp_path / "out"
    build_seeds([old, TEXT_29_2], out, FAMILY_MAP)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["releases"] == ["29.2"]
    assert "Skills.txt" in {i["file"] for i in manifest["inputs"]}


# --- fixtures, errors -------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["txt", "xlsx"])
def test_misnamed_file_is_rejected(tmp_path: Path, layout: str) -> None:
    folder = copy_text(tmp_path)
    (folder / "Skills.txt").unlink()
    if layout == "txt":
        shutil.copy(TEXT_29_2 / "Knowledge.txt", folder / "Skills.txt")
    else:
        write_excel_layout(TEXT_29_2, tmp_path / "x", "29.2", names=["Knowledge"])
        shutil.copy(tmp_path / "x" / "Knowledge.xlsx", folder / "Skills.xlsx")
    with pytest.raises(
        OnetError, match=rf"Skills\.{layout}: column 'Element ID' has '2\.C\.3\.a'.*"
    ):
        build_seeds([folder], tmp_path / "out", FAMILY_MAP)


def test_new_work_styles_taxonomy_is_rejected(tmp_path: Path) -> None:
    folder = copy_text(tmp_path)
    path = folder / "Work Styles.txt"
    path.write_text(path.read_text().replace("\t1.C.", "\t1.D."))
    with pytest.raises(OnetError, match=r"Work Styles\.txt: .*'1\.D\.1\.a'.*starting with 1\.C\."):
        build_seeds([folder], tmp_path / "out", FAMILY_MAP)


def test_missing_input_file(tmp_path: Path) -> None:
    folder = copy_text(tmp_path)
    (folder / "Task Statements.txt").unlink()
    with pytest.raises(
        OnetError,
        match=r"'Task Statements' missing in .*: expected 'Task Statements\.txt' or "
        r"'Task Statements\.xlsx' from an O\*NET release",
    ):
        build_seeds([folder], tmp_path / "out", FAMILY_MAP)


def test_missing_column(tmp_path: Path) -> None:
    folder = copy_text(tmp_path)
    path = folder / "Job Zones.txt"
    path.write_text(path.read_text().replace("Job Zone\t", "Zone\t", 1))
    with pytest.raises(OnetError, match=r"Job Zones\.txt: missing column\(s\) 'Job Zone'"):
        build_seeds([folder], tmp_path / "out", FAMILY_MAP)


def test_family_code_without_ratings(tmp_path: Path) -> None:
    family_map = tmp_path / "families.toml"
    family_map.write_text(
        FAMILY_MAP.read_text().replace('ic_codes = ["15-1251.00"]', 'ic_codes = ["15-1252.00"]')
    )
    with pytest.raises(
        OnetError,
        match=r"family 'software_engineering' uses 15-1252\.00, which has no Skills ratings "
        r"\(IM/LV\) in Skills\.txt",
    ):
        build_seeds([TEXT_29_2], tmp_path / "out", family_map)


def test_family_code_not_in_release(tmp_path: Path) -> None:
    family_map = tmp_path / "families.toml"
    family_map.write_text(FAMILY_MAP.read_text().replace("15-1251.00", "15-9999.00"))
    with pytest.raises(OnetError, match=r"15-9999\.00 are not in Occupation Data\.txt"):
        build_seeds([TEXT_29_2], tmp_path / "out", family_map)


def test_bad_family_map(tmp_path: Path) -> None:
    family_map = tmp_path / "families.toml"
    family_map.write_text(FAMILY_MAP.read_text().replace('"it"', '"Bad Id"'))
    with pytest.raises(OnetError, match=r"family #2 \(Bad Id\): family_id must be snake_case"):
        build_seeds([TEXT_29_2], tmp_path / "out", family_map)


def test_folder_without_readme(tmp_path: Path) -> None:
    folder = copy_text(tmp_path)
    (folder / "Read Me.txt").unlink()
    with pytest.raises(OnetError, match=r"no 'Read Me\.txt'"):
        build_seeds([folder], tmp_path / "out", FAMILY_MAP)


# --- the real release (skipped when ../shared/onet-raw is absent) -----------------------------

real = pytest.mark.skipif(not RAW.is_dir(), reason=f"raw O*NET release not found at {RAW}")
REAL_SOURCES = [RAW / "db_29_2_text", RAW / "db_29_0_excel"]
RatingValues = tuple[float, str, str, str]  # data value, n, recommend suppress, not relevant


def _na(value: object) -> str:
    return "" if value in (None, "n/a") else str(value)


def read_excel_ratings(
    path: Path, codes: frozenset[str]
) -> dict[tuple[str, str, str], RatingValues]:
    """Read an O*NET Excel rating file with openpyxl, independently of the builder."""
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header = list(next(rows))
    col = {name: header.index(name) for name in header}
    found = {}
    last = max(codes)
    for row in rows:
        code = row[col["O*NET-SOC Code"]]
        if code > last:  # O*NET files are sorted by code; a missed row fails the key check
            break
        if code not in codes:
            continue
        n = row[col["N"]]
        found[(code, row[col["Element ID"]], row[col["Scale ID"]])] = (
            float(row[col["Data Value"]]),
            "" if n in (None, "") else str(int(n)),
            _na(row[col["Recommend Suppress"]]),
            _na(row[col["Not Relevant"]]),
        )
    wb.close()
    return found


@pytest.fixture(scope="module")
def raw_excel_ratings() -> Iterable[list[Future[dict[tuple[str, str, str], RatingValues]]]]:
    """Start reading Skills.xlsx and Knowledge.xlsx in worker processes.

    openpyxl takes ~11 s per file; reading them in parallel while the rebuild test runs keeps
    the real-release tests well under 20 s.
    """
    codes = frozenset(r["onetsoc_code"] for r in read_csv(SEEDS / "occupations.csv"))
    with ProcessPoolExecutor(max_workers=2) as pool:
        yield [
            pool.submit(read_excel_ratings, RAW / "db_29_0_excel" / f"{name}.xlsx", codes)
            for name in ("Skills", "Knowledge")
        ]


@real
def test_rebuild_matches_committed_seeds(
    tmp_path: Path, raw_excel_ratings: list[Future[dict[tuple[str, str, str], RatingValues]]]
) -> None:
    summary = build_seeds(REAL_SOURCES, tmp_path)
    assert summary.releases == ("29.0", "29.2")
    for name in OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == (SEEDS / name).read_bytes(), name


@real
def test_committed_ratings_equal_the_raw_release(
    raw_excel_ratings: list[Future[dict[tuple[str, str, str], RatingValues]]],
) -> None:
    codes = {r["onetsoc_code"] for r in read_csv(SEEDS / "occupations.csv")}
    expected: dict[tuple[str, str, str], RatingValues] = {}
    for future in raw_excel_ratings:
        expected.update(future.result())
    header, *rows = read_tab(RAW / "db_29_2_text" / "Work Styles.txt")
    col = {name: header.index(name) for name in header}
    for row in rows:
        if row[col["O*NET-SOC Code"]] in codes:
            key = (row[col["O*NET-SOC Code"]], row[col["Element ID"]], row[col["Scale ID"]])
            expected[key] = (
                float(row[col["Data Value"]]),
                _na(row[col["N"]]),
                _na(row[col["Recommend Suppress"]]),
                "",
            )
    seeds = read_csv(SEEDS / "ratings.csv")
    got = {
        (r["onetsoc_code"], r["element_id"], r["scale_id"]): (
            float(r["data_value"]),
            r["n"],
            r["recommend_suppress"],
            r["not_relevant"],
        )
        for r in seeds
    }
    assert len(got) == len(seeds)  # no duplicate keys
    assert got.keys() == expected.keys()
    for key, (value, n, suppress, not_relevant) in got.items():
        raw_value, raw_n, raw_suppress, raw_not_relevant = expected[key]
        assert value == pytest.approx(raw_value, abs=1e-9), key
        assert (n, suppress, not_relevant) == (raw_n, raw_suppress, raw_not_relevant), key
