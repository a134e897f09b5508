"""The gate in a whole run: a held variant is not published nor linked to, the run
says why, a re-run changes nothing, and approving its segments publishes it labelled
as reviewed (page, manifest, webhook event)."""

import json

import pytest
from bs4 import BeautifulSoup

from tests.factories import write_source_config
from tests.quality.engines import BODY, FRENCH, TITLE, Faithful
from tests.support import server as http
from tests.support.server import Response, serve
from tests.support.webhook_receiver import Receiver, receiving
from translator_pipeline import engines
from translator_pipeline.config.settings import load_settings
from translator_pipeline.run.loop import run_once
from translator_pipeline.run.report import run_report_dict
from translator_pipeline.store.state import Approval, StateStore

PAGE = f"""<!doctype html><html lang="en"><head><title>{TITLE}</title></head><body>
<h1 class="title">{TITLE}</h1><div class="body">{BODY}</div></body></html>"""
LISTING = '<html><body><a class="item" href="/news/plan.html">Plan</a></body></html>'
SELECTORS = {"link_selector": "a.item", "title_selector": "h1.title", "body_selector": "div.body"}
SECRET = "a-secret-of-24-characters"


class FrenchOnly(Faithful):
    """Faithful into French; into Arabic it hands the English back (held)."""

    def __init__(self, settings=None) -> None:
        super().__init__()

    def _translate(self, text, source, target):
        return super()._translate(text, source, target) if target == "fr" else text


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setitem(engines._BUILTIN, "frenchonly", f"{__name__}:FrenchOnly")
    engines.clear_engine_cache()
    server = http.TestServer()
    server.route("/news/index.html", Response(LISTING.encode()))
    server.route("/news/plan.html", Response(PAGE.encode()))
    with serve(server), receiving(Receiver(SECRET)) as rx:
        monkeypatch.setenv("HOOK_SECRET", SECRET)
        extra = f'\n[[webhooks]]\nurl = "{rx.url}"\nsecret_env = "HOOK_SECRET"\n'
        config = write_source_config(
            tmp_path, "news", server.url("/news/index.html"), SELECTORS, extra
        )
        text = config.read_text().replace('engine = "pseudo"', 'engine = "frenchonly"')
        config.write_text(text)
        yield config, rx
    engines.clear_engine_cache()


def run(config):
    settings = load_settings(config, env={"HOOK_SECRET": SECRET})
    return settings, run_once(settings)


def manifest(config):
    return json.loads((config.parent / "out" / "manifest.json").read_text(encoding="utf-8"))


def test_held_variant_waits_for_approval_then_is_published_as_reviewed(site):
    config, rx = site
    settings, report = run(config)
    [outcome] = report.outcomes
    assert outcome.status == "published" and outcome.languages == ("fr",)
    assert "ar held by the quality gate" in outcome.reason
    assert "copied from the source" in outcome.reason
    data = run_report_dict(report)
    assert data["counts"]["variants_held"] == 1
    ar, fr = data["articles"][0]["quality"]
    assert (ar["language"], ar["decision"], fr["decision"]) == ("ar", "hold", "publish")
    assert any("copied from the source" in r for r in ar["reasons"])
    out = config.parent / "out"
    assert not (out / "ar").exists()
    [article] = manifest(config)["articles"]
    [fr] = article["variants"]
    assert fr["quality"] == {"decision": "publish", "reasons": []}
    assert fr["review"] == {"state": "none", "reviewed": 0, "segments": len(FRENCH)}
    page = BeautifulSoup((out / fr["path"]).read_text(encoding="utf-8"), "html.parser")
    hreflangs = {link["hreflang"] for link in page.find_all("link", hreflang=True)}
    assert "ar" not in hreflangs and "fr" in hreflangs  # no link to a page that is not there
    state = StateStore(settings.state_url or settings.state_path)
    held = {r.language: r for r in state.reviews(with_records=True)}
    assert held["ar"].decision == "hold" and held["fr"].decision == "publish"
    events = [e["type"] for e in rx.received]
    assert events == ["variant.published"]

    # A re-run holds it again and rewrites nothing.
    before = (out / "manifest.json").read_bytes()
    _, again = run(config)
    assert "ar held" in again.outcomes[0].reason
    assert (out / "manifest.json").read_bytes().decode() == before.decode()
    assert [e["type"] for e in rx.received] == events

    # Translators approve every Arabic segment (as a review import would).
    approvals = [
        Approval("en", "ar", r.source_text, f"ترجمة معتمدة {i}", r.id, article["url"], "t.xlf")
        for i, r in enumerate(held["ar"].records)
    ]
    assert state.approve_segments(approvals) == (len(approvals), 0)
    _, third = run(config)
    assert third.outcomes[0].languages == ("ar", "fr") and "held" not in third.outcomes[0].reason
    variants = {v["language"]: v for v in manifest(config)["articles"][0]["variants"]}
    ar = variants["ar"]
    assert ar["review"] == {
        "state": "complete",
        "reviewed": len(approvals),
        "segments": len(approvals),
    }
    assert ar["machine_translated"] is False and variants["fr"]["machine_translated"] is True
    html = (out / ar["path"]).read_text(encoding="utf-8")
    assert "x-mtfrom" not in html and "وراجعها مترجمون" in html
    assert 'name="robots"' not in html
    assert "ترجمة معتمدة 0" in html
    fr_page = (out / variants["fr"]["path"]).read_text(encoding="utf-8")
    assert 'hreflang="ar"' in fr_page  # now linked from the French page
    kinds = [e["type"] for e in rx.received]
    assert kinds.count("variant.reviewed") == 1 and "variant.published" in kinds[1:]

    # Nothing new to say on the next run.
    received = len(rx.received)
    run(config)
    assert len(rx.received) == received


def test_partly_reviewed_variant_shows_counts(site):
    config, _ = site
    settings, _ = run(config)
    state = StateStore(settings.state_url or settings.state_path)
    fr = next(r for r in state.reviews(language="fr", with_records=True))
    first = fr.records[0]
    url = manifest(config)["articles"][0]["url"]
    state.approve_segments(
        [Approval("en", "fr", first.source_text, "Un titre relu", first.id, url, "t.xlf")]
    )
    run(config)
    variants = {v["language"]: v for v in manifest(config)["articles"][0]["variants"]}
    assert variants["fr"]["review"]["state"] == "partial"
    html = (config.parent / "out" / variants["fr"]["path"]).read_text(encoding="utf-8")
    assert f"relu 1 passages sur {len(fr.records)}" in html
    assert "x-mtfrom" in html
