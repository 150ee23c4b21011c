"""templates/master_template.xlsx is what `laddersheet generate` writes with default settings."""

from pathlib import Path

import python_calamine

from laddersheet.main import generate

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "templates" / "master_template.xlsx"


def contents(path: Path) -> dict[str, list[list[object]]]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_committed_template_equals_a_fresh_generation(tmp_path: Path):
    fresh = generate(None, tmp_path / "fresh.xlsx")
    committed, generated = contents(TEMPLATE), contents(fresh)
    assert list(committed) == list(generated)
    for name in generated:
        assert committed[name] == generated[name], (
            f"sheet {name!r} differs: run `laddersheet generate --out {TEMPLATE.relative_to(REPO)}`"
        )
