"""Which state database an output belongs to, checked before a run writes anything.

The state database is the memory of what an output holds: a run deletes the
pages the state does not list and announces the ones it did not know. A state
that does not know the output — lost and started again, restored from an older
backup, another config's — would delete and re-announce published pages. So
each output carries a marker, ``.translator-pipeline.json``, written after its
manifest::

    {"format": 1, "state_id": "…", "output_id": "…", "generation": 7,
     "state": "state/tp.sqlite3", "config": "/etc/tp/site.toml"}

``state_id`` names the state database (made once, kept by its copies),
``output_id`` the output (the state's ``articles.output`` ties each article to
one), ``generation`` counts the output's manifest changes: the state's count
goes up before a new manifest is written, the marker's after, so the state's is
never behind unless the state is older than the output. A run refuses
(:class:`OutputOwnershipError`, nothing written) when

- the output holds published pages and no marker, and the state knows none of
  them (the state was lost, or the marker deleted);
- the marker names another state database (a second config on one
  ``output_dir``, or a lost state started again);
- the marker names this state but a later generation (a restored older backup).

``translator-pipeline state adopt`` (:func:`adopt_output`) rebuilds the state's
view of the output from its manifest and pages, so the next run carries on
where the output stands.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translator_pipeline.errors import OutputOwnershipError, PublishError
from translator_pipeline.models import PublishedVariant, StoredArticle

if TYPE_CHECKING:
    from collections.abc import Callable

    from translator_pipeline.config.settings import Settings
    from translator_pipeline.publishing.storage import Publisher
    from translator_pipeline.store.outbox import EventFactory
    from translator_pipeline.store.state import StateStore

__all__ = [
    "MARKER_NAME",
    "AdoptReport",
    "OutputMarker",
    "adopt_output",
    "begin_publishing",
    "check_output",
    "claim_output",
    "output_in_use",
    "publish_with_marker",
    "read_marker",
]

log = logging.getLogger(__name__)

MARKER_NAME = ".translator-pipeline.json"
MARKER_FORMAT = 1


@dataclass(frozen=True)
class OutputMarker:
    state_id: str
    output_id: str
    generation: int
    state: str = ""  # the state database as its config names it (password masked)
    config: str = ""  # the config file of the last run that wrote it

    def to_bytes(self) -> bytes:
        data = {
            "format": MARKER_FORMAT,
            "about": "which translator-pipeline state database publishes here; do not edit",
            "state_id": self.state_id,
            "output_id": self.output_id,
            "generation": self.generation,
            "state": self.state,
            "config": self.config,
        }
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def read_marker(publisher: Publisher) -> OutputMarker | None:
    """The output's marker, None when it has none; OutputOwnershipError when it is
    unreadable (never guessed at: a wrong guess deletes pages)."""
    raw = publisher.read(MARKER_NAME)
    if raw is None:
        return None
    where = publisher.url_for(MARKER_NAME)
    try:
        data = json.loads(raw)
        return OutputMarker(
            state_id=str(data["state_id"]),
            output_id=str(data["output_id"]),
            generation=int(data["generation"]),
            state=str(data.get("state", "")),
            config=str(data.get("config", "")),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise OutputOwnershipError(
            f"{where} is not a readable output marker; nothing was written. Restore it, or "
            "delete it and run `translator-pipeline state adopt --config FILE` to take the "
            "output over"
        ) from None


def _marker_for(state: StateStore, settings: Settings, output_id: str, generation: int) -> bytes:
    return OutputMarker(
        state_id=state.state_id(),
        output_id=output_id,
        generation=generation,
        state=state.url,
        config=str(settings.config_path or ""),
    ).to_bytes()


def _published_on_output(publisher: Publisher) -> int:
    """How many articles the output's manifest lists (or, without one, how many pages
    of ours it holds)."""
    from translator_pipeline.publishing.storage import _OWN_FILE, MANIFEST_NAME

    raw = publisher.read(MANIFEST_NAME)
    if raw is not None:
        try:
            return len(json.loads(raw).get("articles") or [])
        except (ValueError, AttributeError):
            pass
    return sum(1 for p in publisher.list() if _OWN_FILE.match(p) and p.endswith("/index.html"))


def _adopt_hint(settings: Settings) -> str:
    config = settings.config_path or "FILE"
    return f"translator-pipeline state adopt --config {config}"


def check_output(settings: Settings) -> None:
    """Raise what :func:`claim_output` would raise for the settings' state and output,
    writing nothing to the output: a command line checks before it starts Prefect."""
    from translator_pipeline.publishing.storage import publisher_for
    from translator_pipeline.store.state import StateStore

    claim_output(StateStore.from_settings(settings), publisher_for(settings), settings, write=False)


def claim_output(
    state: StateStore, publisher: Publisher, settings: Settings, *, write: bool = True
) -> str:
    """The id of the output this run publishes to, once it is sure the state knows
    it (see the module's rules); a new output gets a new id and a marker. Raises
    :class:`OutputOwnershipError` before anything is written otherwise. With
    ``write=False`` only the checks are made (the id returned may then be "")."""
    location = publisher.url_for()
    marker = read_marker(publisher)
    our_id = state.state_id()
    if marker is None:
        return _claim_unmarked(state, publisher, settings, location, write=write)
    if marker.state_id != our_id:
        named = f" ({marker.state}" + (f", config {marker.config})" if marker.config else ")")
        if marker.state and marker.state == state.url:
            why = (
                f"the state database {state.url} was replaced since it published there "
                "(lost, deleted or recreated)"
            )
            fix = f"to carry on from the published output, run: {_adopt_hint(settings)}"
        else:
            why = (
                f"another state database{named} publishes there: two configs must not share "
                f"one output_dir; give this config ({settings.config_path}) its own"
            )
            fix = f"only if that state is lost for good, adopt the output: {_adopt_hint(settings)}"
        raise OutputOwnershipError(
            f"output {location} belongs to state {marker.state_id[:12]}, not to this run's "
            f"state {our_id[:12]} ({state.url}): {why}. Nothing was written or deleted; {fix}"
        )
    record = state.output(marker.output_id)
    if record is None or record.generation < marker.generation:
        have = "does not know it" if record is None else f"is at generation {record.generation}"
        raise OutputOwnershipError(
            f"output {location} is at generation {marker.generation} but the state database "
            f"{state.url} {have}: the state is older than the output (restored from an older "
            "backup?). Nothing was written or deleted; to bring the state up to the output, "
            f"run: {_adopt_hint(settings)}"
        )
    config = str(settings.config_path or "")
    if write and (record.location != location or record.config != config):  # moved: follow
        state.register_output(marker.output_id, location, record.generation, config)
    return marker.output_id


def output_in_use(location: str, output_id: str) -> bool:
    """Whether the output ``output_id`` still is at ``location``: its marker is there and
    names it. Outputs behind URLs (object storage) are not looked at: taken to be in
    use. An output that is gone (its directory deleted, or the config pointed at
    another one) lets a run publish its articles again elsewhere."""
    if "://" in location:
        return True
    try:
        data = json.loads((Path(location) / MARKER_NAME).read_bytes())
        return str(data.get("output_id")) == output_id
    except (OSError, ValueError, AttributeError):
        return False


def _claim_unmarked(
    state: StateStore, publisher: Publisher, settings: Settings, location: str, *, write: bool
) -> str:
    existing = _published_on_output(publisher)
    known = next((o for o in state.outputs() if o.location == location), None)
    config = str(settings.config_path or "")
    if existing:
        # State databases from before output ids: their articles whose pages are here.
        mine = [
            url for url, paths in state.unscoped_published() if any(map(publisher.exists, paths))
        ]
        if known is None and not mine:
            raise OutputOwnershipError(
                f"output {location} holds {existing} published article(s) that the state "
                f"database {state.url} does not know (the state was lost or replaced, or the "
                f"output's {MARKER_NAME} was deleted). Nothing was written or deleted; to "
                f"carry on from the published output, run: {_adopt_hint(settings)}"
            )
        if not write:
            return ""
        output_id = known.id if known is not None else uuid.uuid4().hex
        state.register_output(output_id, location, known.generation if known else 0, config)
        state.assign_output(mine, output_id)
    elif not write:
        return ""
    else:
        # A new output, or this state's own output emptied: its articles stay its own.
        output_id = known.id if known is not None else uuid.uuid4().hex
        state.register_output(output_id, location, known.generation if known else 0, config)
    record = state.output(output_id)
    generation = record.generation if record else 0
    publisher.write(MARKER_NAME, _marker_for(state, settings, output_id, generation))
    return output_id


def publish_with_marker(
    state: StateStore,
    publisher: Publisher,
    settings: Settings,
    output_id: str | None,
    *,
    sweep: bool = True,
) -> bool:
    """Sitemap, feeds, manifest and sweep for ``output_id`` (see
    :meth:`~.storage.BasePublisher.publish_manifest`), then the marker: the state's
    generation goes up first when the manifest changes. False if it did not."""
    from translator_pipeline.publishing.manifest import manifest_bytes
    from translator_pipeline.publishing.storage import MANIFEST_NAME

    published = state.published(output_id)
    if output_id is None:  # a caller that claimed nothing (library use without a run)
        return publisher.publish_manifest(published, settings, sweep=sweep)
    changes = publisher.read(MANIFEST_NAME) != manifest_bytes(published, settings)
    if changes:
        generation = state.advance_output(output_id)
    else:
        record = state.output(output_id)
        generation = record.generation if record else 0
    changed = publisher.publish_manifest(published, settings, sweep=sweep)
    publisher.write(MARKER_NAME, _marker_for(state, settings, output_id, generation))
    if sweep:  # the run that owns the output is done with it
        state.set_publishing(output_id, False)
    return changed


def begin_publishing(
    state: StateStore,
    publisher: Publisher,
    settings: Settings,
    output_id: str,
    events: Callable[[StoredArticle], EventFactory | None] | None = None,
) -> int:
    """Note that a run publishes to ``output_id`` from now on. When the previous run was
    killed before writing its manifest, pages it replaced contradict the state and
    the manifest: the state takes each such page as it is (and queues its
    ``variant.updated`` event), and the manifest is rewritten at once, before this
    run fetches anything; those variants are rendered again in this run. Returns how
    many pages were found replaced. ``events``: how to queue webhook events about an
    article (see :func:`~.stages.event_factory`)."""
    if not state.set_publishing(output_id, True):
        return 0

    replaced = 0
    for article, variants in state.published(output_id):
        for variant in variants:
            page = publisher.read(variant.path)
            if page is None or hashlib.sha256(page).hexdigest() == variant.checksum:
                continue  # a missing page is republished by the run itself
            state.record_replaced_page(
                variant.article_url,
                variant.language,
                hashlib.sha256(page).hexdigest(),
                events(article) if events is not None else None,
            )
            replaced += 1
    if replaced:
        log.warning(
            "the last run publishing to %s was killed before its manifest: %d page(s) it "
            "replaced are recorded and listed now, and rendered again in this run",
            publisher.url_for(),
            replaced,
        )
        publish_with_marker(state, publisher, settings, output_id, sweep=False)
    return replaced


# --- adopting an output ---------------------------------------------------------------


@dataclass
class AdoptReport:
    output_id: str
    generation: int
    articles: int = 0
    variants: int = 0
    stale_variants: int = 0  # pages differing from the manifest: the next run redoes them
    missing: list[str] | None = None  # listed variants whose page or fragment is absent
    forgotten: int = 0  # variants the state had for this output that the output does not


def _variant_from_manifest(
    url: str, entry: dict[str, Any], render_hash: str, content_hash: str
) -> PublishedVariant:
    quality = entry.get("quality") or {}
    review = entry.get("review") or {}
    return PublishedVariant(
        article_url=url,
        language=str(entry["language"]),
        direction=str(entry.get("direction") or "ltr"),
        path=str(entry["path"]),
        fragment_path=str(entry["fragment_path"]),
        title=str(entry.get("title") or ""),
        checksum=str(entry.get("checksum") or "").removeprefix("sha256:"),
        signature=str(entry.get("signature") or ""),
        content_hash=content_hash,
        pseudo=bool(entry.get("pseudo")),
        published_at=str(entry["published_at"]),
        glossary_hash=str(entry.get("glossary") or ""),
        render_hash=render_hash,
        quality=str(quality.get("decision") or "publish"),
        quality_reasons=tuple(str(r) for r in quality.get("reasons") or ()),
        segments=int(review.get("segments") or 0),
        reviewed=int(review.get("reviewed") or 0),
    )


def _feed_summaries(
    publisher: Publisher, settings: Settings, languages: set[str]
) -> dict[str, str]:
    """The variant leads (``summary``) the output's Atom feeds hold, by page URL: the
    manifest does not carry them, and without them the feeds would change."""
    from lxml import etree

    from translator_pipeline.language.facts import language_name
    from translator_pipeline.publishing.feeds import _PSEUDO_NOTE, ATOM_NS, feed_path

    found: dict[str, str] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    for language in sorted(languages):
        try:
            raw = publisher.read(feed_path(language))
            root = etree.fromstring(raw, parser) if raw else None
        except (PublishError, etree.XMLSyntaxError):
            continue
        if root is None:
            continue
        disclaimer = settings.disclaimer(language)
        for entry in root.iter(f"{{{ATOM_NS}}}entry"):
            url = entry.findtext(f"{{{ATOM_NS}}}id") or ""
            text = (entry.findtext(f"{{{ATOM_NS}}}summary") or "").removeprefix(_PSEUDO_NOTE)
            via = entry.find(f"{{{ATOM_NS}}}link[@rel='via']")
            src = (via.get("hreflang") if via is not None else None) or "und"
            tail = "\n\n" + disclaimer.text.format(
                source_language=language_name(src, language), source_code=src
            )
            if url and text.endswith(tail):
                found[url] = text[: -len(tail)]
    return found


def adopt_output(state: StateStore, publisher: Publisher, settings: Settings) -> AdoptReport:
    """Rebuild the state's view of the output from its ``manifest.json`` and pages:
    every listed variant whose page and fragment exist becomes the state's record
    (slug, first-seen and publication times as published), nothing is announced,
    and the output's marker then names this state. A page whose bytes differ from
    the manifest's checksum (a run killed mid-publish) is recorded as needing a
    new rendering, so the next run redoes it. Raises OutputOwnershipError when
    there is no usable manifest."""
    from translator_pipeline.publishing.render import render_fingerprint
    from translator_pipeline.publishing.storage import MANIFEST_NAME

    location = publisher.url_for()
    raw = publisher.read(MANIFEST_NAME)
    if raw is None:
        raise OutputOwnershipError(
            f"{publisher.url_for(MANIFEST_NAME)} does not exist: nothing to adopt (a run "
            "publishes into an empty output without adopting it)"
        )
    try:
        manifest = json.loads(raw)
        listed = list(manifest["articles"])
    except (ValueError, KeyError, TypeError):
        raise OutputOwnershipError(
            f"{publisher.url_for(MANIFEST_NAME)} is not a readable manifest: cannot adopt it"
        ) from None
    try:
        marker = read_marker(publisher)
    except OutputOwnershipError:
        marker = None  # unreadable: adopting replaces it
    output_id = marker.output_id if marker else uuid.uuid4().hex
    record = state.output(output_id)
    generation = max(marker.generation if marker else 0, record.generation if record else 0)
    render_hash = render_fingerprint(settings)
    report = AdoptReport(output_id=output_id, generation=generation, missing=[])
    languages = {
        str(v.get("language"))
        for item in listed
        if isinstance(item, dict)
        for v in item.get("variants") or []
        if isinstance(v, dict)
    }
    summaries = _feed_summaries(publisher, settings, languages)
    published: list[tuple[StoredArticle, list[PublishedVariant]]] = []
    for item in listed:
        try:
            article = StoredArticle(
                url=str(item["url"]),
                source=str(item.get("source") or ""),
                slug=str(item["slug"]),
                language=item.get("language"),
                title=item.get("title"),
                published=item.get("published"),
                content_hash=item.get("content_hash"),
                first_seen=str(item["first_seen"]),
                updated_at=str(item.get("updated_at") or item["first_seen"]),
            )
        except (KeyError, TypeError):
            continue
        variants = []
        for entry in item.get("variants") or []:
            try:
                variant = _variant_from_manifest(
                    article.url, entry, render_hash, article.content_hash or ""
                )
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
            url = entry.get("url") if isinstance(entry, dict) else None
            if url and url in summaries:
                variant = replace(variant, summary=summaries[url])
            try:
                page = publisher.read(variant.path)
                has_fragment = publisher.exists(variant.fragment_path)
            except PublishError:
                page, has_fragment = None, False
            if page is None or not has_fragment:
                report.missing.append(variant.path)
                continue
            if hashlib.sha256(page).hexdigest() != variant.checksum:
                # The page is not what the manifest says: record what is there and
                # mark it for a new rendering.
                variant = replace(
                    variant, checksum=hashlib.sha256(page).hexdigest(), render_hash=""
                )
                report.stale_variants += 1
            variants.append(variant)
        if variants:
            published.append((article, variants))
            report.articles += 1
            report.variants += len(variants)
    _, report.forgotten = state.adopt_published(output_id, location, generation, published)
    publisher.write(MARKER_NAME, _marker_for(state, settings, output_id, generation))
    return report
