"""A real browser renders a published Arabic variant right to left, disclaimer first.

Headless Chromium (Debian's ``chromium`` package; ``.ci/run`` installs it) loads
the page from a local server. No Python browser driver is needed: the test serves,
next to the published page, a test-only copy with an inline probe script that
writes computed styles and layout boxes into ``<pre id="probe">``, and reads it back
with ``--dump-dom``. A screenshot of the published page itself is kept in
``test-artifacts/browser/`` for people (and CI artifact upload) to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.factories import ROOT, write_config
from tests.support import server as http
from translator_pipeline.flows import translate_and_publish

ARTIFACTS = ROOT / "test-artifacts" / "browser"
WIDTH, HEIGHT = 1200, 900
ARABIC = re.compile("[\u0600-\u06ff]")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The background-networking flags matter: without them Chromium phones home at
# start-up, and on a machine without internet those connections are refused.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    f"--window-size={WIDTH},{HEIGHT}",
)

# Runs at the end of <body> in the probe copy only; the published page has no scripts.
PROBE_SCRIPT = """
<script>
(function () {
  function box(el) {
    if (!el) return null;
    var r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return {
      top: r.top, bottom: r.bottom, width: r.width, height: r.height,
      display: s.display, visibility: s.visibility, opacity: s.opacity,
      direction: s.direction, visible: el.checkVisibility({
        opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true
      }),
      text: el.innerText
    };
  }
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify({
    direction: getComputedStyle(document.documentElement).direction,
    viewport: {width: innerWidth, height: innerHeight, scrollY: scrollY},
    disclaimer: box(document.querySelector("aside.tp-disclaimer")),
    title: box(document.querySelector("article h1"))
  });
  document.body.appendChild(pre);
})();
</script>
"""


def find_chromium() -> str:
    """The Chromium binary, or a loud skip (developer machine) / failure (CI)."""
    for name in ("chromium", "chromium-browser"):
        binary = shutil.which(name)
        if binary:
            return binary
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(
            "chromium is not installed, but CI is set: .ci/run must install chromium "
            "(apt-get install -y chromium) before `make test`",
            pytrace=False,
        )
    pytest.skip("browser test needs headless Chromium: run `sudo apt-get install chromium`")


def run_chromium(binary: str, tmp_path: Path, *args: str) -> str:
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path)
    proc = subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, f"chromium exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc.stdout


def test_arabic_variant_renders_rtl_with_the_disclaimer_on_top(site_server, tmp_path, request):
    chromium = find_chromium()  # before the (slow) Prefect harness starts
    request.getfixturevalue("prefect_harness")

    report = translate_and_publish(config_path=str(write_config(tmp_path, site_server.base_url)))
    assert report.count("published") == 4, report.outcomes
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    [page_path, *_] = sorted(
        v["path"] for a in manifest["articles"] for v in a["variants"] if v["language"] == "ar"
    )
    page = (out / page_path).read_text(encoding="utf-8")
    assert "<script" not in page and page.count("</body>") == 1
    page_url = "/" + page_path
    probe_url = page_url.rsplit("/", 1)[0] + "/browser-probe.html"  # same base for links

    with http.serve(http.TestServer(root=out)) as web:
        probe_page = page.replace("</body>", PROBE_SCRIPT + "</body>")
        web.route(probe_url, http.Response(probe_page.encode("utf-8")))

        dom = run_chromium(chromium, tmp_path, "--dump-dom", web.url(probe_url))
        probe_el = BeautifulSoup(dom, "lxml").select_one("pre#probe")
        assert probe_el is not None, f"probe script did not run; DOM was:\n{dom[:2000]}"
        probe = json.loads(probe_el.get_text())

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "arabic-variant.png"
        shot.unlink(missing_ok=True)
        run_chromium(chromium, tmp_path, f"--screenshot={shot}", web.url(page_url))
        assert web.hits(page_url) == 1 and web.hits(probe_url) == 1

    assert probe["direction"] == "rtl", probe
    disclaimer, title = probe["disclaimer"], probe["title"]
    assert disclaimer is not None and title is not None, probe
    assert disclaimer["direction"] == title["direction"] == "rtl", probe
    # Visible: laid out with a size, not hidden by display/visibility/opacity.
    assert disclaimer["visible"], disclaimer
    assert disclaimer["width"] > 0 and disclaimer["height"] > 0, disclaimer
    assert disclaimer["display"] != "none" and disclaimer["visibility"] == "visible"
    assert float(disclaimer["opacity"]) > 0
    # At the top: above the article title and on the first screen.
    assert probe["viewport"]["scrollY"] == 0
    assert 0 <= disclaimer["top"] < title["top"], probe
    assert disclaimer["top"] < HEIGHT and disclaimer["bottom"] <= probe["viewport"]["height"]
    assert ARABIC.search(disclaimer["text"]), disclaimer["text"]
    assert ARABIC.search(title["text"]), title["text"]

    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 5 * 1024, len(data)
    assert struct.unpack(">II", data[16:24]) == (WIDTH, HEIGHT)  # IHDR width, height
