"""`laddersheet publish`: the ladder as a static website (src/laddersheet/publish.py).

Structure, escaping, file names and determinism are checked by parsing the HTML; the tests
marked ``browser`` load the pages from file:// in headless Chromium, driven over the DevTools
protocol (``--remote-debugging-pipe``, no extra packages), with scripts on and off.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import fcntl
import hashlib
import html
import json
import os
import re
import select
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from laddersheet.cli import cli
from laddersheet.errors import InputError
from laddersheet.ladder import Ladder, LadderFamily
from laddersheet.master import read_master, write_master
from laddersheet.publish import (
    SITE_MARKER,
    build_site,
    family_page_names,
    level_diff,
    publish_ladder,
)
from tests.factories import small_ladder

REPO = Path(__file__).resolve().parents[1]
MASTER_TEMPLATE = REPO / "templates" / "master_template.xlsx"
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
HOSTILE = "<script>alert(1)</script> & \"quotes\" 'too'"
SAME_AT_L2_L3 = {"comp-2", "comp-3"}  # identical score and statement at L2 and L3 (family_1)


# --- a ladder with known differences and hostile text ---------------------------------------


def _ladder() -> Ladder:
    """small_ladder, with: family_1 curated and family_2 a draft with an HTML-ish name; a
    hostile statement at family_1 L2; comp-2 and comp-3 unchanged from L2 to L3; comp-4 with
    the same statement but a higher score; comp-5 the same score but a new statement."""
    base = small_ladder()
    families = (
        dataclasses.replace(base.families[0], curated=True, summaries={"L2": "Owns " + HOSTILE}),
        dataclasses.replace(base.families[1], name="R&D <b>Ops</b>", description=HOSTILE),
    )
    at = {(r.family_id, r.level, r.competency_id): r for r in base.expectations}
    rows = []
    for row in base.expectations:
        if row.family_id == "family_1" and row.track == "IC":
            l2 = at["family_1", "L2", row.competency_id]
            if row.level == "L2" and row.competency_id == "comp-1":
                row = dataclasses.replace(row, statement=HOSTILE, evidence=f"A {HOSTILE}\nB two")
            elif row.level == "L3" and row.competency_id in SAME_AT_L2_L3:
                row = dataclasses.replace(row, statement=l2.statement, expected=l2.expected)
            elif row.level == "L3" and row.competency_id == "comp-4":
                row = dataclasses.replace(row, statement=l2.statement)
            elif row.level == "L3" and row.competency_id == "comp-5":
                row = dataclasses.replace(row, expected=l2.expected)
        rows.append(row)
    return dataclasses.replace(
        base,
        families=families,
        expectations=tuple(rows),
        attribution="This page includes information from the O*NET 29.2 Database (test).",
        releases=("29.2",),
    )


def _differing(ladder: Ladder, family_id: str, a: str, b: str) -> list[str]:
    """The test's own reading of "what changes": compare the two levels' rows directly."""
    track = {lv.code: lv.track for lv in ladder.settings.levels}
    first = {r.competency_id: r for r in ladder.rows(family_id, track[a], a)}
    second = {r.competency_id: r for r in ladder.rows(family_id, track[b], b)}
    ids = list(first) + [c for c in second if c not in first]
    return [
        c
        for c in ids
        if c not in first
        or c not in second
        or (first[c].expected, first[c].statement) != (second[c].expected, second[c].statement)
    ]


@pytest.fixture(scope="module")
def ladder() -> Ladder:
    return _ladder()


@pytest.fixture(scope="module")
def site(ladder, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    publish_ladder(ladder, out, source_name="master.xlsx")
    return out


# --- parsing helpers --------------------------------------------------------------------------


class _Page(HTMLParser):
    """Every element's tag and attributes, the text of each script, and the visible text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.text: list[str] = []
        self._in: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("script", "style"):
            self._in.append(tag)
            if tag == "script":
                self.scripts.append((dict(self.elements[-1][1]), ""))

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if self._in and self._in[-1] == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        elif not self._in:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())

    def by_id(self, element_id: str) -> dict[str, str] | None:
        return next((a for _, a in self.elements if a.get("id") == element_id), None)


def _section(text: str, element_id: str, end: str = "</section>") -> str:
    """The HTML from the element with this id to the first ``end`` tag after it."""
    start = text.index(f'id="{element_id}"')
    return text[start : text.index(end, start)]


# --- structure -------------------------------------------------------------------------------


def test_index_lists_every_family_with_titles_and_links(site, ladder):
    index = (site / "index.html").read_text(encoding="utf-8")
    page = _Page(index)
    links = {a["href"] for tag, a in page.elements if tag == "a" and "href" in a}
    for family in ladder.families:
        assert f"families/{family.family_id}.html" in links
        for level in ladder.settings.levels:
            assert ladder.title(family.family_id, level.code) in html.unescape(index)
    assert "Specialist 1" in page.visible and "Team Lead, Function 1" in page.visible
    assert "Draft" in _section(index, "family-family_2", "</li>"), "a draft is marked"
    assert "Draft" not in _section(index, "family-family_1", "</li>")
    for point in ladder.settings.scale.points:
        assert point.label in page.visible and point.meaning in page.visible


def test_family_page_has_both_tracks_levels_statements_evidence_and_scores(site, ladder):
    text = (site / "families" / "family_1.html").read_text(encoding="utf-8")
    page = _Page(text)
    for track_id in ("track-IC", "track-M"):
        assert page.by_id(track_id) is not None
    scale = {p.value: p.label for p in ladder.settings.scale.points}
    for level in ladder.settings.levels:
        section = _section(text, f"level-{level.code}")
        text_of = html.unescape(section)
        assert ladder.title("family_1", level.code) in text_of
        rows = ladder.rows("family_1", level.track, level.code)
        assert rows and section.count('class="competency"') == len(rows)
        for row in rows:
            assert row.statement in text_of
            assert f"{row.expected} · {scale[row.expected]}" in text_of
        assert level.scope in text_of  # the family has no scopes of its own: the level's
    l2 = _section(text, "level-L2")
    assert "<li>B two</li>" in l2, "evidence examples: one list item per line"
    assert "Draft" not in page.visible
    draft_text = (site / "families" / "family_2.html").read_text(encoding="utf-8")
    assert re.search(r"<title>[^<]*\(draft\)", draft_text)
    assert "have not been rewritten" in _Page(draft_text).visible


def test_every_page_carries_the_onet_attribution_and_provenance(site, ladder):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) == 1 + len(ladder.families)
    for path in pages:
        visible = _Page(path.read_text(encoding="utf-8")).visible
        assert ladder.attribution in visible, path
        assert "O*NET® releases 29.2" in visible and "master.xlsx" in visible, path


def test_static_step_sections_show_exactly_what_differs(site, ladder):
    text = (site / "families" / "family_1.html").read_text(encoding="utf-8")
    for before, after in [("L1", "L2"), ("L2", "L3"), ("L4", "L5"), ("L3", "M1"), ("M1", "M2")]:
        section = _section(text, f"pair-{before}-{after}")
        shown = re.findall(r'data-competency="([^"]+)"', section)
        assert shown == _differing(ladder, "family_1", before, after), (before, after)
    shown = re.findall(r'data-competency="([^"]+)"', _section(text, "pair-L2-L3"))
    assert not SAME_AT_L2_L3 & set(shown) and {"comp-4", "comp-5"} <= set(shown)
    assert [r.competency_id for r in level_diff(ladder, "family_1", "L2", "L3")] == shown


def test_hr_text_is_escaped_everywhere(site):
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        page = _Page(text)
        scripts = [attrs for attrs, _ in page.scripts]
        # ours only: the no-js switch and, on family pages, the data and the diff view
        assert len(scripts) in (1, 3), path
        assert "alert(1)" not in "".join(body for _, body in page.scripts).replace(
            "\\u003cscript\\u003ealert(1)", ""
        ), path
        assert "<b>Ops</b>" not in text, path
    family = _Page((site / "families" / "family_1.html").read_text(encoding="utf-8"))
    assert HOSTILE in family.visible, "a statement with markup is shown as text"
    assert f"A {HOSTILE}" in family.visible and f"Owns {HOSTILE}" in family.visible
    data = next(body for attrs, body in family.scripts if attrs.get("id") == "ladder-data")
    assert "<" not in data and json.loads(data)["rows"]["L2"][0]["statement"] == HOSTILE
    index = _Page((site / "index.html").read_text(encoding="utf-8"))
    assert "R&D <b>Ops</b>" in index.visible and HOSTILE in index.visible


def test_no_external_urls_and_relative_links_only(site):
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        page = _Page(text)
        for tag, attrs in page.elements:
            for name in ("href", "src", "action", "srcset", "data", "poster"):
                value = attrs.get(name)
                if value is None:
                    continue
                assert not re.match(r"^([a-z][a-z0-9+.-]*:|//)", value, re.I), (path, tag, value)
                if name == "href" and not value.startswith("#"):
                    assert (path.parent / value.split("#")[0]).is_file(), (path, value)
        assert "@import" not in text and "url(" not in text, path
        assert not re.search(r"https?://", text), path


def test_pages_are_made_for_phones_and_paper(site):
    text = (site / "families" / "family_1.html").read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    css = text[text.index("<style>") : text.index("</style>")]
    assert "@media (max-width:" in css and "@media print" in css
    print_css = css[css.index("@media print") :]
    assert re.search(r"\.site-header[^{]*\{ display: none", print_css)
    sizes = [float(s) for s in re.findall(r"font(?:-size)?:[^;]*?([\d.]+)pt", print_css)]
    assert sizes and min(sizes) >= 9


def test_family_file_names_are_safe_and_unique():
    ids = ["sales", "../etc/passwd", "a/b", "CON", "index", "Sales", "", "über café", "sales"]
    families = tuple(LadderFamily(fid, fid, fid, "") for fid in ids)
    names = family_page_names(families)
    files = [names[f] for f in dict.fromkeys(ids)]
    assert len(set(names.values())) == len(names)
    for name in files:
        assert re.fullmatch(r"families/[a-z0-9][a-z0-9_-]*\.html", name), name
    assert names["CON"] != "families/con.html" and names["index"] != "families/index.html"
    assert names["../etc/passwd"] == "families/etc-passwd.html"


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_same_ladder_same_bytes(ladder, tmp_path):
    publish_ladder(ladder, tmp_path / "a", source_name="m.xlsx")
    publish_ladder(ladder, tmp_path / "b", source_name="m.xlsx")
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b") == build_site(ladder, "m.xlsx")
    # another process, another hash seed: still the same bytes
    script = (
        "import hashlib, json, sys; from tests.test_publish import _ladder; "
        "from laddersheet.publish import build_site; files = build_site(_ladder(), 'm.xlsx'); "
        "print(json.dumps({k: hashlib.sha256(v).hexdigest() for k, v in files.items()}))"
    )
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, check=True
        ).stdout
        digests = {k: hashlib.sha256(v).hexdigest() for k, v in _tree(tmp_path / "a").items()}
        assert json.loads(out) == digests


def test_refuses_a_foreign_folder_but_replaces_an_earlier_site(ladder, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match=r"not a website laddersheet wrote.*--force"):
        publish_ladder(ladder, out)
    assert (out / "notes.txt").read_text() == "mine"
    publish_ladder(ladder, out, force=True)
    assert not (out / "notes.txt").exists() and (out / "index.html").is_file()

    smaller = dataclasses.replace(ladder, families=ladder.families[:1])
    publish_ladder(smaller, out)  # an earlier site: replaced whole, no --force needed
    assert not (out / "families" / "family_2.html").exists()
    assert json.loads((out / SITE_MARKER).read_text())["files"] == [
        "families/family_1.html",
        "index.html",
    ]
    (out / "families" / "extra.html").write_text("added by hand")
    with pytest.raises(InputError, match=r"files laddersheet did not write \(families/extra"):
        publish_ladder(ladder, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "no staging folder left"


def test_refuses_to_replace_a_folder_holding_the_master(ladder, tmp_path):
    master = tmp_path / "work" / "master.xlsx"
    master.parent.mkdir()
    master.write_bytes(b"x")
    with pytest.raises(InputError, match="master"):
        publish_ladder(ladder, tmp_path / "work", force=True, keep_out=(master,))
    assert master.exists()


def test_cli_publishes_the_edited_master(tmp_path):
    """From a master workbook (written, read back as HR's edited file would be) to a site."""
    ladder = _ladder()
    master = write_master(ladder, tmp_path / "master.xlsx")
    assert not read_master(master).issues.has_errors
    result = CliRunner().invoke(cli, ["publish", str(master), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 pages for 2 families" in result.output
    assert "1 draft families" in result.output and "R&D <b>Ops</b>" in result.output
    text = (tmp_path / "site" / "families" / "family_1.html").read_text(encoding="utf-8")
    assert HOSTILE in _Page(text).visible
    shown = re.findall(r'data-competency="([^"]+)"', _section(text, "pair-L2-L3"))
    assert shown == _differing(ladder, "family_1", "L2", "L3")

    again = CliRunner().invoke(cli, ["publish", str(master), "--out", str(tmp_path)])
    assert again.exit_code == 2 and "does not hold the master" in again.output
    assert master.is_file()


def test_cli_publishes_the_default_master(tmp_path):
    result = CliRunner().invoke(
        cli, ["publish", str(MASTER_TEMPLATE), "--out", str(tmp_path / "site")]
    )
    assert result.exit_code == 0, result.output
    master = read_master(MASTER_TEMPLATE).ladder
    pages = sorted((tmp_path / "site" / "families").glob("*.html"))
    assert [p.stem for p in pages] == sorted(f.family_id for f in master.families)


# --- in a real browser ------------------------------------------------------------------------


class Chromium:
    """Headless Chromium over the DevTools protocol on a pipe (fd 3 in, fd 4 out)."""

    def __init__(self, profile: Path):
        assert CHROMIUM, "chromium is not installed"
        to_browser = self._high(*os.pipe())
        from_browser = self._high(*os.pipe())

        def wire() -> None:  # in the child: the pipe ends on the descriptors Chromium expects
            os.dup2(to_browser[0], 3)
            os.dup2(from_browser[1], 4)

        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",  # CI and this test run as root in a container
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            preexec_fn=wire,
            close_fds=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser[0])
        os.close(from_browser[1])
        self._out, self._in = to_browser[1], from_browser[0]
        self._buffer = b""
        self._id = 0
        self.events: list[dict] = []

    @staticmethod
    def _high(read: int, write: int) -> tuple[int, int]:
        """Move a pipe's descriptors above 10, so dup2 onto 3 and 4 cannot clobber them."""
        moved = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (read, write))
        os.close(read)
        os.close(write)
        return moved  # type: ignore[return-value]

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._out)
        os.close(self._in)

    def _message(self) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._in], [], [], 60)
            if not ready:
                raise RuntimeError("Chromium did not answer within 60 s")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str = "") -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict:
        while True:
            for event in self.events:
                if event.get("method") == "Page.javascriptDialogOpening":
                    raise RuntimeError(f"the page opened a dialog: {event['params']}")
                if event.get("method") == method and event.get("sessionId") == session:
                    self.events.remove(event)
                    return event
            self.events.append(self._message())

    def open(self, url: str, *, scripts: bool = True, width: int = 1280, height: int = 900) -> Tab:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        if not scripts:
            self.send("Emulation.setScriptExecutionDisabled", {"value": True}, session)
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}
        self.send("Emulation.setDeviceMetricsOverride", metrics, session)
        self.send("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        return Tab(self, session)


class Tab:
    def __init__(self, browser: Chromium, session: str):
        self.browser, self.session = browser, session

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str):
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        result = self.send("Runtime.evaluate", params)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def dom(self) -> str:
        """The live DOM as HTML, read without running any script in the page."""
        root = self.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        return self.send("DOM.getOuterHTML", {"nodeId": root})["outerHTML"]

    def errors(self) -> list[str]:
        """Uncaught exceptions, console errors and failed loads seen by this tab so far."""
        found = []
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            params = event.get("params", {})
            if event.get("method") == "Runtime.exceptionThrown":
                found.append(json.dumps(params["exceptionDetails"])[:500])
            elif event.get("method") == "Runtime.consoleAPICalled" and params.get("type") in (
                "error",
                "assert",
            ):
                found.append(json.dumps(params.get("args"))[:500])
            elif event.get("method") == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"].get("text", "")[:500])
        return found

    def close(self) -> None:
        target = self.send("Target.getTargetInfo")["targetInfo"]["targetId"]
        self.browser.send("Target.closeTarget", {"targetId": target})

    def shown(self, selector: str) -> bool:
        """Whether the element takes space on the page (not display:none, nor inside one)."""
        return self.evaluate(
            f"(function (e) {{ return !!e && e.getClientRects().length > 0; }})"
            f"(document.querySelector({json.dumps(selector)}))"
        )

    def screenshot(self, path: Path, selector: str = "body", height: int = 900) -> Path:
        """A PNG of ``height`` pixels from the top of the element, at the tab's width."""
        box = self.evaluate(
            f"(function (r) {{ return [r.left + scrollX, r.top + scrollY]; }})"
            f"(document.querySelector({json.dumps(selector)}).getBoundingClientRect())"
        )
        width = self.evaluate("document.documentElement.clientWidth")
        clip = {"x": 0, "y": max(0, box[1] - 16), "width": width, "height": height, "scale": 1}
        shot = self.send(
            "Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True}
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


@pytest.fixture(scope="module")
def full_site(tmp_path_factory) -> Path:
    """The site of the default master: 30 families, real titles and statements."""
    out = tmp_path_factory.mktemp("full") / "site"
    publish_ladder(read_master(MASTER_TEMPLATE).ladder, out)
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


def _live_rows(tab: Tab) -> list[str]:
    return tab.evaluate(
        "Array.from(document.querySelectorAll('#diff-result tr[data-competency]'))"
        ".map(function (tr) { return tr.getAttribute('data-competency'); })"
    )


@pytest.mark.browser
@pytest.mark.slow
def test_browser_every_page_renders_without_errors(browser, site, full_site):
    """Every page of our test site and of the site of the default 30-family master."""
    pages = sorted(site.rglob("*.html")) + sorted(full_site.rglob("*.html"))
    assert len(pages) == 3 + 31
    for path in pages:
        tab = browser.open(path.as_uri())
        assert tab.errors() == [], path
        assert tab.evaluate("document.documentElement.className") == "js", path
        if path.parent.name == "families":
            assert tab.evaluate("document.documentElement.getAttribute('data-diff')"), path
            assert tab.shown("#diff-result .pair") and not tab.shown(".diff-static"), path
        tab.close()


@pytest.mark.browser
def test_browser_diff_view_shows_exactly_what_differs(browser, site, ladder):
    page = (site / "families" / "family_1.html").as_uri()
    tab = browser.open(page + "#diff=L2..L3")
    assert tab.errors() == []
    assert _live_rows(tab) == _differing(ladder, "family_1", "L2", "L3")
    assert not SAME_AT_L2_L3 & set(_live_rows(tab))
    count = tab.evaluate("document.querySelector('#diff-result .count').textContent")
    assert count == f"{len(_live_rows(tab))} of 8 competencies change."
    assert tab.shown(".diff-controls") and tab.shown("#diff-result table")
    assert not tab.shown(".diff-static"), "the pre-rendered steps give way to the live view"
    # HR's text is text in the live view too: no element was made from it
    live = tab.evaluate("document.getElementById('diff-result').textContent")
    assert HOSTILE in live
    assert tab.evaluate("document.scripts.length") == 3
    assert tab.evaluate("document.querySelectorAll('#diff-result script, b').length") == 0

    # any two levels, chosen with the selects: the address follows
    tab.evaluate(
        "(function () { var f = document.getElementById('diff-from');"
        " var t = document.getElementById('diff-to'); f.value = 'L3'; t.value = 'M1';"
        " t.dispatchEvent(new Event('change')); })()"
    )
    assert _live_rows(tab) == _differing(ladder, "family_1", "L3", "M1")
    assert len(_live_rows(tab)) == 9, "8 changed, and coaching only on the manager track"
    assert tab.evaluate("location.hash") == "#diff=L3..M1"
    absent = tab.evaluate("document.querySelectorAll('#diff-result td.absent').length")
    assert absent == 1

    # the step links (also those of the no-script view) drive the live view
    tab.evaluate("location.hash = '#pair-M1-M2'")
    tab.evaluate("new Promise(function (done) { setTimeout(done, 0); })")
    assert tab.evaluate("document.documentElement.getAttribute('data-diff')") == "M1..M2"
    assert _live_rows(tab) == _differing(ladder, "family_1", "M1", "M2")
    tab.evaluate("document.querySelector('#level-L4 .step-link a').click()")
    tab.evaluate("new Promise(function (done) { setTimeout(done, 0); })")
    assert tab.evaluate("document.documentElement.getAttribute('data-diff')") == "L3..L4"
    assert _live_rows(tab) == _differing(ladder, "family_1", "L3", "L4")
    tab.close()

    tab = browser.open(page + "#diff=L1..L5")  # not adjacent
    assert _live_rows(tab) == _differing(ladder, "family_1", "L1", "L5")
    assert tab.evaluate("document.getElementById('diff-to').value") == "L5"
    tab.close()


@pytest.mark.browser
def test_browser_without_scripts_shows_every_step(browser, site, ladder):
    tab = browser.open((site / "families" / "family_1.html").as_uri(), scripts=False)
    assert tab.evaluate("document.documentElement.className") == "no-js"
    assert not tab.shown(".diff-controls") and not tab.shown("#diff-result")
    assert tab.evaluate("document.getElementById('diff-result').children.length") == 0
    assert tab.shown(".diff-static")
    for before, after in [("L1", "L2"), ("L2", "L3"), ("L3", "M1"), ("M3", "M4")]:
        assert tab.shown(f"#pair-{before}-{after} table")
        rows = tab.evaluate(
            f"Array.from(document.querySelectorAll('#pair-{before}-{after} tr[data-competency]'))"
            ".map(function (tr) { return tr.getAttribute('data-competency'); })"
        )
        assert rows == _differing(ladder, "family_1", before, after)
    text = tab.evaluate("document.getElementById('pair-L2-L3').innerText")
    assert HOSTILE in text and "6 of 8 competencies change." in text
    assert tab.shown("#level-L3 .competency") and tab.shown("#track-M")
    tab.close()


@pytest.mark.browser
@pytest.mark.parametrize("page", ["index.html", "families/customer_success.html"])
def test_browser_phone_width_reads_without_sideways_scrolling(browser, full_site, page):
    tab = browser.open((full_site / page).as_uri() + "#diff=L3..M1", width=375)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    widest = tab.evaluate(
        "Math.max.apply(null, Array.from(document.querySelectorAll('body *'))"
        ".filter(function (e) { return e.getClientRects().length; })"
        ".map(function (e) { return e.getBoundingClientRect().right; }))"
    )
    assert widest <= 375, "nothing sticks out on the right"
    if page.startswith("families/"):
        cell = "getComputedStyle(document.querySelector('#diff-result td')).display"
        assert tab.evaluate(cell) == "block", "the diff table's cells stack on a phone"
    assert tab.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
    tab.close()


@pytest.mark.browser
def test_browser_prints_black_on_white_without_navigation(browser, site):
    tab = browser.open((site / "families" / "family_1.html").as_uri())
    tab.send("Emulation.setEmulatedMedia", {"media": "print"})
    assert not tab.shown(".site-header") and not tab.shown(".diff-controls")
    assert not tab.shown(".toc")
    assert tab.shown(".diff-static"), "the steps are printed"
    style = "getComputedStyle(document.querySelector({!r}))"
    assert tab.evaluate(style.format("body") + ".color") == "rgb(0, 0, 0)"
    assert tab.evaluate(style.format("#track-M") + ".breakBefore") == "page"
    smallest = tab.evaluate(
        "Math.min.apply(null, Array.from(document.querySelectorAll('main *, footer *'))"
        ".filter(function (e) { return e.getClientRects().length && e.textContent.trim(); })"
        ".map(function (e) { return parseFloat(getComputedStyle(e).fontSize); }))"
    )
    assert smallest >= 12, "body text at least 9 pt (12 px)"
    backgrounds = tab.evaluate(
        "Array.from(new Set(Array.from(document.querySelectorAll('main *'))"
        ".filter(function (e) { return e.getClientRects().length; })"
        ".map(function (e) { return getComputedStyle(e).backgroundColor; })))"
    )
    assert set(backgrounds) <= {"rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"}, backgrounds
    tab.close()
