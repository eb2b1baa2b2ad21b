"""summary.html and summary.md: the facts, hostile text escaped, offline (checked in headless Chromium)."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import tarfile
from html import escape
from pathlib import Path

import pytest

from hwinspector.report.capture import RecordingOptions, capture
from hwinspector.report.summary_html import CSP
from hwinspector.report.summary_md import md as inert
from tests.report.fixtures_capture import MACHINE, fixed_options, fixed_privacy

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed (Debian: apt-get install chromium)"
)


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An extracted bundle from fixed inputs, with a one-second recording and two markers."""
    root = tmp_path_factory.mktemp("summary")
    zone = root / "in/sys/class/thermal/thermal_zone0"
    zone.mkdir(parents=True)
    (zone / "type").write_text("x86_pkg_temp\n")
    (zone / "temp").write_text("51000\n")
    opts = fixed_options(
        root / "in",
        notes="Lid closed for 10 s; the screen stayed black.",
        steps=("close the lid", "open the lid"),
        recording=RecordingOptions(1.0, 50.0),
        markers=("lid closed", "lid opened"),
    )
    path, _, _ = capture(opts, root / "b.tar.xz", privacy=fixed_privacy())
    with tarfile.open(path, "r:xz") as tar:
        tar.extractall(root / "x", filter="data")
    return root / "x" / "b"


def test_html_is_self_contained_with_a_strict_csp_and_no_script(bundle_dir: Path) -> None:
    html = (bundle_dir / "summary.html").read_text()
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html
    assert CSP == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert "<script" not in html.lower() and not re.search(r"\son[a-z]+\s*=", html, re.I)
    links = re.findall(r'\s(?:href|src)="([^"]*)"', html)
    assert links, "the artifact index links into the bundle"
    for url in links:
        assert not re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", url, re.I), url  # relative only: no http(s), no file:
        assert url.startswith("#") or (bundle_dir / url).exists(), url
    # hostile device names are text, never markup
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<img src="http://evil.example' not in html


def test_html_shows_machine_problems_first_notes_and_charts(bundle_dir: Path) -> None:
    html = (bundle_dir / "summary.html").read_text()
    assert f"<h1>{MACHINE}</h1>" in html
    problems = html.index('id="problems"')
    assert problems < html.index('id="machine"') < html.index('id="devices"') < html.index('id="artifacts"')
    assert "link training failed" in html and "SD Host controller has no driver" in html
    assert "Lid closed for 10 s" in html and "<li>close the lid</li>" in html
    charts = re.findall(r'<polyline [^>]*points="([^"]*)"', html)
    assert len(charts) == 1
    assert 10 <= len(charts[0].split()) <= 2 * 640
    assert html.count('stroke-dasharray="3,3"') == 2  # the two markers
    assert '<a href="raw/test/ok.txt"><code>raw/test/ok.txt</code></a>' in html


def test_scorecard_verdicts_come_first(bundle_dir: Path) -> None:
    score = json.loads((bundle_dir / "structured/scorecard.json").read_text())
    html = (bundle_dir / "summary.html").read_text()
    md = (bundle_dir / "summary.md").read_text()
    assert score["verdicts"] and html.index("<h3>Scorecard</h3>") < html.index('id="machine"')
    for v in score["verdicts"]:
        assert f"<b>{escape(v['title'])}</b>" in html
        if v["status"] in ("fail", "warning"):
            assert f"**{v['status']}** {inert(v['title'])}: {inert(v['summary'])}" in md
    failing = [line for line in md.splitlines() if line.startswith("- **fail**")]
    first = md.splitlines().index(failing[0]) if failing else 0
    assert all(not line.startswith("- **warning**") for line in md.splitlines()[:first])


def test_markdown_is_condensed_and_inert(bundle_dir: Path) -> None:
    md = (bundle_dir / "summary.md").read_text()
    assert md.startswith(f"## Hardware evidence: {MACHINE}\n")
    assert "link training failed" in md and "SD Host controller has no driver" in md
    assert "1. close the lid" in md and "Privacy: redacted" in md
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py (a CommonMark parser) not installed")
    rendered = markdown_it.MarkdownIt("commonmark").render(md)
    # the hostile name contains a link, an image and HTML: none of them may survive as markup
    assert "<a " not in rendered and "<img" not in rendered and "<script" not in rendered
    assert "[link](https://evil.example)" in rendered  # shown as text


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)


def _page_requests(netlog: Path) -> list[str]:
    """URLs the page itself asked for (Chromium's own update and sync traffic has no file:// isolation key)."""
    doc = json.loads(netlog.read_text())
    names = {v: k for k, v in doc["constants"]["logEventTypes"].items()}
    urls = []
    for ev in doc["events"]:
        p = ev.get("params") or {}
        from_page = "file://" in str(p.get("network_isolation_key"))
        url = str(p.get("url", ""))
        if names.get(ev["type"]) == "URL_REQUEST_START_JOB" and from_page and not url.startswith(("file:", "data:")):
            urls.append(url)
    return urls


@needs_chromium
def test_chromium_renders_the_data_offline_without_javascript(bundle_dir: Path, tmp_path: Path) -> None:
    page = bundle_dir / "summary.html"
    netlog = tmp_path / "net.json"
    proc = _chromium([f"--log-net-log={netlog}", "--dump-dom", page.as_uri()], tmp_path / "p1")
    dom = proc.stdout
    assert MACHINE in dom and "SD Host controller has no driver" in dom and "link training failed" in dom
    assert "&lt;script&gt;alert" in dom and "<script" not in dom  # the hostile name is text in the DOM too
    assert _page_requests(netlog) == []
    # the oracle can fail: a page with a remote image and stylesheet is seen asking for them
    control = tmp_path / "control.html"
    control.write_text(
        '<!DOCTYPE html><p>x</p><img src="http://127.0.0.1:9/x.png">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/a.css">'
    )
    _chromium([f"--log-net-log={tmp_path / 'net2.json'}", "--dump-dom", control.as_uri()], tmp_path / "p2")
    assert "http://127.0.0.1:9/x.png" in _page_requests(tmp_path / "net2.json")


@needs_chromium
def test_scripts_cannot_run_in_the_summary(bundle_dir: Path, tmp_path: Path) -> None:
    """What a reader sees is what a reader without JavaScript sees: the CSP blocks any script, even one
    that reached the file (the page itself has none), while the same script runs without the CSP."""
    html = (bundle_dir / "summary.html").read_text()
    inject = "<script>document.body.setAttribute('data-js', 'ran')</script></body>"
    with_csp = tmp_path / "with_csp.html"
    with_csp.write_text(html.replace("</body>", inject))
    without = tmp_path / "without_csp.html"
    without.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html).replace("</body>", inject))
    assert 'data-js="ran"' not in _chromium(["--dump-dom", with_csp.as_uri()], tmp_path / "p3").stdout
    assert 'data-js="ran"' in _chromium(["--dump-dom", without.as_uri()], tmp_path / "p4").stdout


@needs_chromium
def test_chromium_screenshot_of_the_summary(bundle_dir: Path, tmp_path: Path) -> None:
    png = tmp_path / "summary.png"
    _chromium(
        ["--window-size=1280,2000", f"--screenshot={png}", (bundle_dir / "summary.html").as_uri()], tmp_path / "p5"
    )
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 30_000  # text, tables and a chart, not a blank page
