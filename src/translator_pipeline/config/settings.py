"""One validated settings object, built at the edge and passed down.

Settings come from a TOML file; any key can be overridden by an environment
variable ``TP_<KEY>`` with ``__`` between nesting levels, e.g.
``TP_ENGINE=pseudo``, ``TP_FETCH__TIMEOUT=5``, ``TP_TARGET_LANGUAGES=ar,fr``,
``TP_SOURCES__0__MAX_ARTICLES=3``. Relative paths are resolved against the
directory of the config file, so a scheduled run does not depend on its
working directory. Every problem is reported at once, as ``file:key``.
"""

from __future__ import annotations

import json
import os
import re
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin
from urllib.parse import urlsplit

import soupsieve
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from translator_pipeline import __version__
from translator_pipeline.config.quality import QualitySettings
from translator_pipeline.config.schedule import DEFAULT_SCHEDULE, check_schedule
from translator_pipeline.errors import ConfigError
from translator_pipeline.language.facts import normalise_code

__all__ = [
    "DEFAULT_DISCLAIMERS",
    "DEFAULT_TRACKING_PARAMS",
    "ArgosSettings",
    "CTranslate2RuntimeSettings",
    "CTranslate2Settings",
    "DisclaimerText",
    "EngineTables",
    "FetchSettings",
    "GlossarySettings",
    "PublishSettings",
    "QualitySettings",
    "Settings",
    "SourceSettings",
    "WebhookSettings",
    "load_settings",
]

ENV_PREFIX = "TP_"
LanguageCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")]


# Cache-Control of published files and of manifest.json (the switch consumers follow).
DEFAULT_CACHE_CONTROL = "public, max-age=300"
MANIFEST_CACHE_CONTROL = "no-cache"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class FetchSettings(_Strict):
    timeout: float = Field(20.0, gt=0, le=600, description="total seconds per request")
    connect_timeout: float = Field(10.0, gt=0, le=120)
    max_bytes: int = Field(5_000_000, ge=1_024, description="decoded body size limit")
    max_redirects: int = Field(5, ge=0, le=20)
    user_agent: str = Field(
        f"translator-pipeline/{__version__} (offline news translation bot)",
        min_length=1,
        description="robots.txt groups are matched against its first word before '/'",
    )
    retries: int = Field(
        2, ge=0, le=10, description="extra attempts after a timeout, connection error, 429 or 5xx"
    )
    backoff_base: float = Field(
        0.5, ge=0, le=60, description="first retry waits about this long; doubles each retry"
    )
    backoff_max: float = Field(30.0, ge=0, le=600, description="cap on one backoff wait")
    retry_after_max: float = Field(
        120.0, ge=0, le=3600, description="a longer Retry-After ends the retries instead"
    )
    respect_robots: bool = True
    host_delay: float = Field(
        1.0, ge=0, le=300, description="minimum seconds between requests to one host"
    )
    host_concurrency: int = Field(2, ge=1, le=32, description="requests in flight per host")
    crawl_delay_max: float = Field(
        60.0, ge=0, le=3600, description="robots.txt Crawl-delay is honoured up to this"
    )
    private_hosts: list[str] = Field(
        default_factory=list,
        description="host names allowed to resolve to private/loopback addresses (intranet); "
        "IP addresses written in a source's config are always allowed",
    )
    failure_backoff: float = Field(
        600.0,
        ge=0,
        le=7 * 86_400,
        description="an article URL unreachable on a run (timeouts, 5xx after retries) is "
        "not tried again for this many seconds, doubling with each failed run; 0: every run",
    )
    failure_backoff_max: float = Field(
        86_400.0, ge=0, le=30 * 86_400, description="cap on the wait between tries of such a URL"
    )


class CTranslate2RuntimeSettings(_Strict):
    """Where and how CTranslate2 runs models (shared by the engines built on it)."""

    device: str | None = Field(
        None,
        pattern=r"^(cpu|auto|cuda(:[0-9]+(,[0-9]+)*)?)$",
        description="cpu, cuda, cuda:1 (device index), cuda:0,1 or auto (CUDA if it loads, "
        "else CPU with a warning); default: $ARGOS_DEVICE_TYPE, else cpu",
    )
    compute_type: str = Field(
        "auto",
        pattern=r"^(auto|default|int8|int8_float32|int8_float16|int8_bfloat16|int16|float16|bfloat16|float32)$",
    )
    inter_threads: int = Field(1, ge=1, le=64, description="translations run in parallel")
    intra_threads: int = Field(0, ge=0, le=256, description="threads per translation; 0 = all")


class ArgosSettings(CTranslate2RuntimeSettings):
    """The Argos engine: where packages are and how CTranslate2 decodes.

    Decoding defaults are argostranslate's (beam 4, length penalty 0.2, one
    hypothesis), so a package translates as its authors intended. Threads suit a
    small CPU machine: one translator replica using every core, int8 where the
    CPU supports it.
    """

    packages_dir: Path | None = Field(
        None, description="default: $ARGOS_PACKAGES_DIR, else argostranslate's own directory"
    )
    package_index: str | None = Field(
        None, description="URL of the Argos package index (index.json) for `models install`"
    )
    beam_size: int = Field(4, ge=1, le=16, description="argostranslate's default")
    length_penalty: float = Field(
        0.2, ge=0, le=5, description="argostranslate's default; higher favours longer output"
    )
    repetition_penalty: float = Field(
        1.0, gt=0, le=10, description="> 1 penalises tokens already produced (every sentence)"
    )
    no_repeat_ngram_size: int = Field(
        0, ge=0, le=16, description="forbid repeating n-grams of this size (every sentence)"
    )
    repetition_guard: bool = Field(
        True,
        description="re-decode only the sentences whose output loops or hits the length "
        "limit, with a repetition penalty and no repeated 3-grams",
    )
    max_batch_tokens: int = Field(2048, ge=64, le=65_536)
    max_input_tokens: int = Field(
        200, ge=8, le=1024, description="longer sentences are cut, between words"
    )
    max_decoding_ratio: float = Field(
        2.0, gt=0, le=10, description="output length limit relative to the input's"
    )
    max_decoding_extra: int = Field(10, ge=0, le=512)
    pivot_language: str = Field("en", pattern=r"^[a-z]{2,3}$")


_ROUTE_KEY = re.compile(r"^[a-z]{2,3}-[a-z]{2,3}$")
_MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class CTranslate2Settings(CTranslate2RuntimeSettings):
    """Engine ``ctranslate2``: converted models (OPUS-MT, NLLB-200, M2M-100, MADLAD-400)
    and Argos packages, chosen per language pair.

    A pair goes to the model ``routes`` names for it; otherwise to an installed
    bilingual model, else a multilingual one, else an Argos package (``use_argos``),
    and only when none translates it directly, through ``pivot_language``. Decoding
    fields left unset take each model family's defaults (Argos packages keep
    the ``[argos]`` table's).
    """

    models_dir: Path | None = Field(
        None,
        description="where `models install PATH` puts converted models; default: "
        "$XDG_DATA_HOME/translator-pipeline/models; relative to the config file",
    )
    routes: dict[str, str] = Field(
        default_factory=dict,
        description='"<from>-<to>" = model name (a directory in models_dir) or "argos"',
    )
    use_argos: bool = Field(
        True, description="Argos packages (the [argos] table) serve pairs no model here covers"
    )
    pivot_language: str = Field("en", pattern=r"^[a-z]{2,3}$")
    beam_size: int | None = Field(None, ge=1, le=16, description="default: the family's")
    length_penalty: float | None = Field(None, ge=0, le=5, description="default: the family's")
    repetition_penalty: float = Field(1.0, gt=0, le=10)
    no_repeat_ngram_size: int = Field(0, ge=0, le=16)
    repetition_guard: bool = True
    max_batch_tokens: int = Field(2048, ge=64, le=65_536)
    max_input_tokens: int | None = Field(
        None, ge=8, le=1024, description="longer sentences are cut; default: the family's"
    )
    max_decoding_ratio: float = Field(2.0, gt=0, le=10)
    max_decoding_extra: int = Field(10, ge=0, le=512)

    @field_validator("routes")
    @classmethod
    def _routes(cls, routes: dict[str, str]) -> dict[str, str]:
        out = {}
        for pair, model in routes.items():
            key = pair.strip().lower().replace("_", "-").replace(">", "-")
            if not _ROUTE_KEY.match(key) or key.split("-")[0] == key.split("-")[1]:
                raise ValueError(f"route {pair!r}: the key must be '<from>-<to>', e.g. 'en-ar'")
            if not _MODEL_NAME.match(model):
                raise ValueError(f"route {pair!r}: {model!r} is not a model name or 'argos'")
            out[key] = model
        return out


class EngineTables(BaseModel):
    """``[engines.<name>]`` tables: the built-in engines' are checked here; a plugin
    engine reads its own with :meth:`Settings.engine_options`."""

    model_config = ConfigDict(extra="allow", frozen=True)

    ctranslate2: CTranslate2Settings = Field(default_factory=CTranslate2Settings)

    @model_validator(mode="after")
    def _tables(self) -> EngineTables:
        for name, value in (self.model_extra or {}).items():
            if not isinstance(value, dict):
                raise ValueError(f"engines.{name} must be a table ([engines.{name}])")
        return self


DEFAULT_TRACKING_PARAMS = ("utm_*", "fbclid", "gclid", "mc_cid", "mc_eid", "_ga")


def _check_http_urls(urls: list[str]) -> list[str]:
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r} is not an absolute http(s) URL")
    return urls


def _ascii_host(host: str) -> str:
    """The host as it appears in a normalised URL (IDNA for non-ASCII names)."""
    host = host.strip().lower()
    if host.isascii():
        return host
    try:
        import idna

        return idna.encode(host, uts46=True).decode("ascii")
    except (ImportError, UnicodeError, ValueError):
        return host


def _checked_css(selector: str) -> str:
    """``selector`` if soupsieve compiles it: a bad one is a config error, not a run in
    which every article is fetched and then skipped."""
    if not selector:
        raise ValueError("must not be empty")
    try:
        soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        message = str(exc).splitlines()[0]
        raise ValueError(f"invalid CSS selector {selector!r}: {message}") from None
    return selector


class SourceSettings(_Strict):
    """One site: where its article URLs are discovered and how its pages are read.

    Discovery reads the feeds and sitemaps first, then the listing pages
    (``start_urls``, following ``next_selector`` for at most ``max_pages``).
    """

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    # Declared before start_urls so start_urls' validator can see them.
    feeds: list[str] = Field(default_factory=list, description="RSS 2.0 / Atom feed URLs")
    sitemaps: list[str] = Field(
        default_factory=list, description="sitemap.xml or sitemap index URLs (.xml.gz too)"
    )
    start_urls: list[str] = Field(
        default_factory=list, validate_default=True, description="listing pages"
    )
    link_selector: str = "a[href]"
    next_selector: str | None = Field(
        None, description="CSS selector of the listing page's link to the next page"
    )
    max_pages: int = Field(5, ge=1, le=1_000, description="listing pages read per start URL")
    include_patterns: list[str] = Field(
        default_factory=list, description="regexes; when set, an article URL must match one"
    )
    exclude_patterns: list[str] = Field(
        default_factory=list, description="regexes; an article URL matching one is refused"
    )
    tracking_params: list[str] = Field(
        default_factory=lambda: list(DEFAULT_TRACKING_PARAMS),
        description="query parameters removed from article URLs (glob patterns)",
    )
    allowed_hosts: list[str] = Field(default_factory=list)
    max_articles: int = Field(50, ge=1, le=10_000)
    title_selector: str | None = None
    body_selector: str | None = None
    date_selector: str | None = None
    author_selector: str | None = None
    remove_selectors: list[Annotated[str, AfterValidator(_checked_css)]] = Field(
        default_factory=list
    )

    @field_validator("feeds", "sitemaps")
    @classmethod
    def _http_document_urls(cls, urls: list[str]) -> list[str]:
        return _check_http_urls(urls)

    @field_validator("start_urls")
    @classmethod
    def _http_urls(cls, urls: list[str], info: ValidationInfo) -> list[str]:
        _check_http_urls(urls)
        # Reported on start_urls (the usual key) rather than on the whole source,
        # so the message names file:sources[i].start_urls like every other problem.
        # A feed or sitemap list that failed its own validation is absent from
        # info.data: say nothing more then.
        others = {"feeds", "sitemaps"}
        if not urls and others <= info.data.keys() and not any(info.data[k] for k in others):
            raise ValueError(
                "required unless feeds or sitemaps are given: "
                "set at least one of start_urls, feeds, sitemaps"
            )
        return urls

    @field_validator("link_selector", "next_selector")
    @classmethod
    def _css_selector(cls, selector: str | None) -> str | None:
        return None if selector is None else _checked_css(selector)

    @field_validator("title_selector", "body_selector", "date_selector", "author_selector")
    @classmethod
    def _content_selector(cls, selector: str | None) -> str | None:
        # "" has always meant "not set" here (the extractor's fallbacks apply).
        return _checked_css(selector) if selector else None

    @field_validator("include_patterns", "exclude_patterns")
    @classmethod
    def _regexes(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        return patterns

    @field_validator("tracking_params")
    @classmethod
    def _tracking_params(cls, patterns: list[str]) -> list[str]:
        if any(not p for p in patterns):
            raise ValueError("a tracking parameter pattern must not be empty")
        return patterns

    @property
    def hosts(self) -> frozenset[str]:
        """Hosts articles may come from: the configured ones plus those of the
        start, feed and sitemap URLs (with the IDNA form of non-ASCII names)."""
        own = {urlsplit(u).hostname or "" for u in (*self.start_urls, *self.feeds, *self.sitemaps)}
        names = {h.lower() for h in (*self.allowed_hosts, *own) if h}
        return frozenset(names | {_ascii_host(h) for h in names})


class DisclaimerText(_Strict):
    """``text`` may use ``{source_language}`` (the original's language, named in the
    variant's language) and ``{source_code}``; ``link_text`` labels the link to the original.
    ``reviewed_text`` replaces ``text`` once translators approved every segment of a
    variant; ``partly_reviewed_text`` is added to ``text`` while only some are (it may use
    ``{reviewed}`` and ``{segments}``). Unset: the language's default wording."""

    text: str = Field(min_length=1)
    link_text: str = Field(min_length=1)
    reviewed_text: str | None = Field(None, min_length=1)
    partly_reviewed_text: str | None = Field(None, min_length=1)

    @field_validator("partly_reviewed_text")
    @classmethod
    def _known_counts(cls, text: str | None) -> str | None:
        if text is None:
            return None
        allowed = "allowed: {reviewed}, {segments}; write {{ and }} for braces"
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        except ValueError as exc:
            raise ValueError(f"cannot be formatted ({exc}); {allowed}") from None
        unknown = names - {"reviewed", "segments"}
        if unknown:
            raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; {allowed}")
        return text

    @field_validator("text", "reviewed_text")
    @classmethod
    def _known_fields(cls, text: str) -> str:
        allowed = "allowed: {source_language}, {source_code}; write {{ and }} for braces"
        try:
            names = {
                field for _, field, _, _ in string.Formatter().parse(text) if field is not None
            }
        except ValueError as exc:  # a lone { or }
            raise ValueError(f"cannot be formatted ({exc}); {allowed}") from None
        unknown = names - {"source_language", "source_code"}
        if unknown:
            raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; {allowed}")
        return text


DEFAULT_DISCLAIMERS: dict[str, DisclaimerText] = {
    "en": DisclaimerText(
        text="This article was translated by machine from {source_language} and has not "
        "been reviewed by a translator. It may contain errors; the original text prevails.",
        link_text="Read the original",
        reviewed_text="This article was translated by machine from {source_language} and "
        "reviewed by translators. The original text prevails.",
        partly_reviewed_text="Translators have reviewed {reviewed} of its {segments} passages.",
    ),
    "fr": DisclaimerText(
        text="Cet article a été traduit automatiquement (langue d'origine : {source_language}) "
        "et n'a pas été relu par un traducteur. Il peut contenir des erreurs ; "
        "seul le texte original fait foi.",
        link_text="Lire l'original",
        reviewed_text="Cet article a été traduit automatiquement (langue d'origine : "
        "{source_language}) et relu par des traducteurs. Seul le texte original fait foi.",
        partly_reviewed_text="Des traducteurs en ont relu {reviewed} passages sur {segments}.",
    ),
    "ar": DisclaimerText(
        text="تُرجمت هذه المقالة ترجمةً آليةً عن {source_language} ولم يراجعها مترجم، "
        "وقد تتضمن أخطاء؛ والنص الأصلي هو المرجع.",
        link_text="اقرأ النص الأصلي",
        reviewed_text="تُرجمت هذه المقالة ترجمةً آليةً عن {source_language} وراجعها مترجمون؛ "
        "والنص الأصلي هو المرجع.",
        partly_reviewed_text="راجع المترجمون {reviewed} من أصل {segments} مقطعًا منها.",
    ),
}


class WebhookSettings(_Strict):
    """A URL that receives signed JSON events about published variants."""

    url: str = Field(pattern=r"^https?://", description="http(s) URL the events are POSTed to")
    secret: str | None = Field(None, min_length=16, description="HMAC-SHA256 key (16+ chars)")
    secret_env: str | None = Field(
        None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="environment variable with the key"
    )
    events: list[
        Literal["variant.published", "variant.updated", "variant.removed", "variant.reviewed"]
    ] = Field(
        default_factory=lambda: [
            "variant.published",
            "variant.updated",
            "variant.removed",
            "variant.reviewed",
        ]
    )
    timeout: float = Field(10.0, gt=0, le=120)
    max_attempts: int = Field(3, ge=1, le=10, description="tries per event and run")
    backoff: float = Field(1.0, ge=0, le=60, description="seconds before the 2nd try; doubles")

    @model_validator(mode="after")
    def _one_secret(self) -> WebhookSettings:
        if (self.secret is None) == (self.secret_env is None):
            raise ValueError("give exactly one of secret or secret_env (the secret's env variable)")
        return self

    def resolved_secret(self) -> str:
        """The signing key (from ``secret_env`` at the time of use)."""
        if self.secret is not None:
            return self.secret
        value = os.environ.get(str(self.secret_env), "")
        if len(value) < 16:
            raise ConfigError(
                "webhooks", [(f"env {self.secret_env}", "webhook secret unset or under 16 chars")]
            )
        return value


class GlossarySettings(_Strict):
    """The institutional glossary and the translators' pinned segment translations."""

    path: Path | None = Field(
        None, description="glossary CSV (one row per concept); none: no glossary"
    )
    segments: Path | None = Field(
        None, description="approved segment translations CSV; none: no pinned segments"
    )
    review_dir: Path | None = Field(
        None,
        description="where each run writes the translators' review report; default: "
        "review/ next to the state database (private, not under output_dir)",
    )
    record_machine_rendering: bool = Field(
        True,
        description="also translate segments with glossary terms without the glossary, "
        "so the review shows what the machine would have said (costs engine time)",
    )
    alternatives: int = Field(
        4, ge=1, le=16, description="n-best hypotheses tried when a placeholder is lost"
    )


# Storage options whose values are secrets: masked when the settings are shown.
_SECRET_OPTION = re.compile(r"key|secret|token|password|credential|connection_string|sas", re.I)
# Object stores name a bucket (container) right after the scheme.
_BUCKET_PROTOCOLS = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "oss"})
_PACKAGE_HINTS = {"s3": "pip install 'translator-pipeline[s3]' (s3fs)", "s3a": "pip install s3fs"}


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: "***" if _SECRET_OPTION.search(str(k)) and v not in (None, "") else _masked(v)
            for k, v in value.items()
        }
    return value


class PublishSettings(_Strict):
    """Where variants and the manifest go: ``output_dir`` (default) or an fsspec URL.

    ``url = "s3://bucket/prefix"`` publishes to S3-compatible object storage
    (needs s3fs: ``pip install 'translator-pipeline[s3]'``); any fsspec URL
    works with its package (``gcs://`` gcsfs, ``az://`` adlfs …);
    ``file:///abs/path`` is a local directory (atomic rename writes).
    Credentials: best from the environment (``AWS_ACCESS_KEY_ID``,
    ``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE`` — read by s3fs itself), or
    ``storage_options`` (``TP_PUBLISH__STORAGE_OPTIONS__SECRET=…``).
    ``date_digits`` is about the pages themselves: the digits of the dates they show.
    """

    url: str | None = Field(
        None, description="fsspec URL, e.g. s3://bucket/prefix; none: output_dir on this machine"
    )
    storage_options: dict[str, Any] = Field(
        default_factory=dict,
        description="passed to the fsspec backend, e.g. endpoint_url, key, secret, "
        "client_kwargs = {region_name = ...}; secrets are masked when shown",
    )
    cache_control: str = Field(
        DEFAULT_CACHE_CONTROL,
        min_length=1,
        pattern=r"^[^\r\n]+$",
        description="Cache-Control of pages, fragments and other files (object storage)",
    )
    manifest_cache_control: str = Field(
        MANIFEST_CACHE_CONTROL,
        min_length=1,
        pattern=r"^[^\r\n]+$",
        description="Cache-Control of manifest.json, the switch consumers follow",
    )
    date_digits: Literal["locale", "latn", "arab", "arabext"] = Field(
        "locale",
        description="digits of the dates shown on pages: locale (CLDR's default for the "
        "page's language), latn (0-9 everywhere), arab (٠-٩) or arabext (۰-۹) on pages "
        "in Arabic-script languages, the others keeping their locale's",
    )

    @field_validator("url")
    @classmethod
    def _fsspec_url(cls, url: str | None) -> str | None:
        if not url:
            return None
        match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", url)
        if not match:
            raise ValueError(
                f"{url!r} is not a URL like s3://bucket/prefix "
                "(for a local directory use output_dir, or file:///absolute/path)"
            )
        protocol = match.group(1).lower()
        parts = urlsplit(url)
        if protocol == "file":
            if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
                raise ValueError(f"{url!r}: a file URL needs an absolute path: file:///srv/www")
            return url
        if "@" in parts.netloc:
            raise ValueError(
                "credentials do not belong in the URL: use the AWS_* environment variables "
                "or publish.storage_options"
            )
        if protocol in _BUCKET_PROTOCOLS and not parts.netloc:
            raise ValueError(f"{url!r} names no bucket: {protocol}://bucket/prefix")
        import importlib.util

        import fsspec
        from fsspec.registry import known_implementations

        if protocol not in fsspec.available_protocols():
            raise ValueError(f"unknown storage protocol {protocol!r} (not an fsspec protocol)")
        known = known_implementations.get(protocol)
        if protocol not in fsspec.registry and known:
            module = str(known["class"]).split(".")[0]
            if importlib.util.find_spec(module) is None:
                hint = _PACKAGE_HINTS.get(protocol, f"pip install {module}")
                raise ValueError(f"{protocol}:// needs the {module} package: {hint}")
        return url

    @field_serializer("storage_options", when_used="json")
    def _mask_secrets(self, options: dict[str, Any]) -> dict[str, Any]:
        return _masked(options)


class Settings(_Strict):
    target_languages: list[LanguageCode] = Field(default_factory=lambda: ["ar", "fr", "en"])
    source_languages: list[LanguageCode] = Field(
        default_factory=list, description="languages we translate from; default: the targets"
    )
    engine: str = Field("argos", pattern=r"^[A-Za-z0-9_.-]+$")
    output_dir: Path = Path("public")
    state_path: Path = Path("state/translator-pipeline.sqlite3")
    state_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the state database: sqlite:///path/state.sqlite3, or "
        "postgresql://user:password@host:5432/dbname for several workers (psycopg 3); "
        "unset: the SQLite file state_path",
    )
    public_base_url: str | None = Field(
        None, description="where the web team serves output_dir; used for canonical/hreflang"
    )
    disclaimers: dict[LanguageCode, DisclaimerText] = Field(default_factory=dict)
    noindex_machine_translations: bool = Field(
        False,
        description="mark every variant <meta name=robots content=noindex> (unreviewed "
        "machine translation kept out of search engines) and publish no sitemap",
    )
    templates_dir: Path | None = Field(
        None,
        description="directory whose page.html / fragment.html replace the packaged "
        "templates (either or both); relative to the config file",
    )
    run_report_dir: Path | None = Field(
        None,
        description="directory for run-report.json instead of the output (it lists failure "
        "reasons and local paths: keep it off a public web server); relative to the config",
    )
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    argos: ArgosSettings = Field(default_factory=ArgosSettings)
    engines: EngineTables = Field(
        default_factory=EngineTables,
        description="per-engine tables: [engines.ctranslate2], plugin engines' own; "
        "[engines.argos] is the same as [argos]",
    )
    glossary: GlossarySettings = Field(default_factory=GlossarySettings)
    publish: PublishSettings = Field(default_factory=PublishSettings)
    quality: QualitySettings = Field(default_factory=QualitySettings)
    webhooks: list[WebhookSettings] = Field(default_factory=list)
    withdraw_after: int = Field(
        3,
        ge=1,
        le=100,
        description="runs an original must be gone (404/410) before its variants are withdrawn",
    )
    recheck_per_run: int = Field(
        10,
        ge=0,
        le=10_000,
        description="published articles no longer listed by discovery re-checked per run "
        "(so a deleted original is noticed)",
    )
    # timezone first: the schedule is checked in it (fields validate in this order)
    timezone: str = Field(
        "UTC", description="IANA time zone the schedule is read in, e.g. 'Africa/Casablanca'"
    )
    schedule: str | None = Field(
        DEFAULT_SCHEDULE,
        description="when `translator-pipeline serve` runs: a cron expression (5 fields, "
        "e.g. '*/15 * * * *') or an interval ('every 90 minutes'); empty: only when triggered",
    )
    sources: list[SourceSettings] = Field(min_length=1)

    # Set by load_settings: where the file was, for messages and relative paths.
    config_path: Path | None = None

    @model_validator(mode="before")
    @classmethod
    def _argos_table_alias(cls, data: Any) -> Any:
        """``[engines.argos]`` is another name for ``[argos]`` (one of them, not both)."""
        if not isinstance(data, dict):
            return data
        engines = data.get("engines")
        if isinstance(engines, dict) and "argos" in engines:
            if "argos" in data:
                raise ValueError("give the Argos settings once: [argos] or [engines.argos]")
            engines = dict(engines)
            data = {**data, "argos": engines.pop("argos"), "engines": engines}
        return data

    def engine_options(self, name: str) -> dict[str, Any]:
        """The ``[engines.<name>]`` table of a plugin engine (empty when there is none)."""
        if name in EngineTables.model_fields:
            return getattr(self.engines, name).model_dump()
        return dict((self.engines.model_extra or {}).get(name) or {})

    @field_validator("target_languages", "source_languages")
    @classmethod
    def _normalise_languages(cls, codes: list[str]) -> list[str]:
        out: list[str] = []
        for code in codes:
            norm = normalise_code(code)
            if norm not in out:
                out.append(norm)
        return out

    @field_validator("target_languages")
    @classmethod
    def _some_targets(cls, codes: list[str]) -> list[str]:
        if not codes:
            raise ValueError("at least one target language is required, e.g. ['ar', 'fr', 'en']")
        return codes

    @field_validator("disclaimers", mode="before")
    @classmethod
    def _normalise_disclaimer_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {normalise_code(str(k)): v for k, v in value.items()}
        return value

    @field_validator("sources")
    @classmethod
    def _unique_source_names(cls, sources: list[SourceSettings]) -> list[SourceSettings]:
        names = [s.name for s in sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"source names must be unique; repeated: {dupes}")
        return sources

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, text: str | None, info: ValidationInfo) -> str | None:
        return check_schedule(text, info.data.get("timezone") or "UTC")

    @field_validator("timezone")
    @classmethod
    def _iana_timezone(cls, name: str) -> str:
        import zoneinfo

        if name not in zoneinfo.available_timezones():
            raise ValueError(
                f"{name!r} is not an IANA time zone (e.g. 'UTC', 'Europe/Paris', 'Asia/Riyadh')"
            )
        return name

    @field_validator("state_url")
    @classmethod
    def _state_url(cls, url: str | None) -> str | None:
        if url is None or not url.strip():
            return None
        url = url.strip()
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url):
            shown = "the value" if "@" in url else repr(url)  # may hold a password
            raise ValueError(
                f"{shown} is not a URL: use sqlite:///path/state.sqlite3 or "
                "postgresql://user:password@host:5432/dbname (a plain file path goes in state_path)"
            )
        from translator_pipeline.store.state import (
            parse_state_url,  # SQLAlchemy: imported only when a URL is set
        )

        parse_state_url(url)  # ValueError: what is allowed
        return url

    @field_serializer("state_url", when_used="json")
    def _mask_state_url(self, url: str | None) -> str | None:
        if url is None:
            return None
        from translator_pipeline.store.state import mask_url

        return mask_url(url)

    @field_validator("public_base_url")
    @classmethod
    def _base_url(cls, url: str | None) -> str | None:
        if not url:
            return None
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"{url!r} is not an absolute http(s) URL")
        return url.rstrip("/") + "/"

    @property
    def translate_from(self) -> list[str]:
        return self.source_languages or self.target_languages

    def disclaimer(self, language: str) -> DisclaimerText:
        """The configured disclaimer for a variant language, else the default, else English."""
        return self.disclaimers.get(language) or DEFAULT_DISCLAIMERS.get(
            language, DEFAULT_DISCLAIMERS["en"]
        )

    def disclaimer_language(self, language: str) -> str:
        """The language :meth:`disclaimer` answers in for a variant ``language``."""
        return language if self.has_disclaimer(language) else "en"

    def has_disclaimer(self, language: str) -> bool:
        return language in self.disclaimers or language in DEFAULT_DISCLAIMERS

    def source(self, name: str) -> SourceSettings:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)


# --- loading -----------------------------------------------------------------


def _field_annotation(model: type[BaseModel], path: list[str]) -> Any:
    """The annotation of the field at ``path`` (indices skip list levels), or None."""
    annotation: Any = model
    for part in path:
        if annotation is Any:  # inside a plugin engine's free-form table
            return Any
        origin = get_origin(annotation)
        if origin is list:
            if not part.isdigit():
                return None
            annotation = get_args(annotation)[0]
            continue
        if origin is dict:
            annotation = get_args(annotation)[1]
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            if field is None:
                return Any if annotation.model_config.get("extra") == "allow" else None
            annotation = field.annotation
            continue
        return None
    return annotation


def _env_value(raw: str, annotation: Any) -> Any:
    text = raw.strip()
    if text and text[0] in "[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text  # let validation say what is wrong
    if get_origin(annotation) is list:
        return [item.strip() for item in text.split(",") if item.strip()]
    return text


def _apply_env(
    data: dict[str, Any], env: Mapping[str, str], problems: list[tuple[str, str]]
) -> dict[str, str]:
    """Merge ``TP_*`` variables into ``data``; return {dotted key: variable name}.

    A variable whose path does not fit the settings' shape (a key below a
    plain value, a name where a list index belongs) is added to ``problems``.
    """
    applied: dict[str, str] = {}
    # Variables the file names as webhook secrets hold keys, not settings, whatever
    # their name (`secret_env = "TP_WEBHOOK_SECRET"` must not read as a `webhook_secret` key).
    secrets = {
        hook.get("secret_env")
        for hook in data.get("webhooks") or []
        if isinstance(hook, dict) and isinstance(hook.get("secret_env"), str)
    }
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX) or name == "TP_CONFIG" or name in secrets:
            continue
        path = [p.lower() for p in name[len(ENV_PREFIX) :].split("__") if p]
        if not path:
            continue
        annotation = _field_annotation(Settings, path)
        if annotation is None:
            problems.append(
                (f"env {name}", f"unknown key {'.'.join(path)!r}; see examples/demo.toml")
            )
            continue
        node: Any = data
        try:
            for i, part in enumerate(path):
                last = i == len(path) - 1
                if isinstance(node, list):
                    idx = int(part)  # _field_annotation guaranteed a digit here
                    while len(node) <= idx:
                        node.append({})
                    if last:
                        node[idx] = _env_value(env[name], annotation)
                    else:
                        node = node[idx]
                elif isinstance(node, dict):
                    if last:
                        node[part] = _env_value(env[name], annotation)
                    else:
                        node = node.setdefault(part, [] if path[i + 1].isdigit() else {})
                else:
                    raise TypeError
        except (TypeError, ValueError):
            problems.append((f"env {name}", f"{'.'.join(path)!r} does not match the file's layout"))
            continue
        applied[".".join(path)] = name
    return applied


def _location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _message(err: Mapping[str, Any]) -> str:
    msg = str(err.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden":
        msg = "unknown key (check the spelling; see examples/demo.toml for the allowed keys)"
    elif err.get("type") == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern", "")
        msg = f"{err.get('input')!r} does not match the allowed form {pattern}"
    elif err.get("type") == "missing":
        msg = "required key is missing"
    return msg


_SQLITE_URL = re.compile(r"^(sqlite(?:\+\w+)?:///)([^?]*)(\?.*)?$", re.IGNORECASE)


def _resolved_state_url(url: str | None, base: Path) -> str | None:
    """A relative SQLite path in ``state_url`` is relative to the config file, as paths are."""
    if url is None:
        return None
    # Read as SQLAlchemy reads it (sqlite[+driver]:///relative, sqlite:////absolute),
    # without importing SQLAlchemy: settings are loaded where no database is used.
    match = _SQLITE_URL.match(url)
    if match is None:
        return url
    prefix, database, query = match.groups()
    if not database or database == ":memory:" or database.startswith("file:"):
        return url  # refused, with the reason, when the store opens it
    if Path(database).is_absolute():
        return url
    return f"{prefix}{(base / database).resolve()}{query or ''}"


def load_settings(
    path: str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Read, override and validate a TOML config file.

    ``env`` defaults to ``os.environ``; ``overrides`` are top-level keys set by
    the caller (the CLI's ``--engine``), applied last.
    """
    path = Path(path)
    shown = str(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(shown, [(shown, "file not found")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(shown, [(shown, f"not valid TOML: {exc}")]) from None
    except OSError as exc:
        raise ConfigError(shown, [(shown, f"cannot be read: {exc.strerror}")]) from None

    problems: list[tuple[str, str]] = []
    from_env = _apply_env(data, os.environ if env is None else env, problems)
    data.update({k: v for k, v in overrides.items() if v is not None})

    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            key = _location(err["loc"])
            dotted = ".".join(str(p) for p in err["loc"])
            where = next(
                (f"env {var}" for k, var in from_env.items() if dotted.startswith(k)),
                f"{shown}:{key}",
            )
            problems.append((where, _message(err)))
        raise ConfigError(shown, problems) from None
    if problems:
        raise ConfigError(shown, problems)

    base = path.resolve().parent
    argos = settings.argos
    if argos.packages_dir is not None:
        argos = argos.model_copy(update={"packages_dir": (base / argos.packages_dir).resolve()})
    engines = settings.engines
    ct2 = engines.ctranslate2
    if ct2.models_dir is not None:
        ct2 = ct2.model_copy(update={"models_dir": (base / ct2.models_dir).resolve()})
        engines = engines.model_copy(update={"ctranslate2": ct2})
    glossary = settings.glossary
    glossary = glossary.model_copy(
        update={
            "path": (base / glossary.path).resolve() if glossary.path else None,
            "segments": (base / glossary.segments).resolve() if glossary.segments else None,
            "review_dir": (base / glossary.review_dir).resolve() if glossary.review_dir else None,
        }
    )
    templates_dir = settings.templates_dir
    if templates_dir is not None:
        templates_dir = (base / templates_dir).resolve()
        if not templates_dir.is_dir():
            where = from_env.get("templates_dir")
            raise ConfigError(
                shown,
                [
                    (
                        f"env {where}" if where else f"{shown}:templates_dir",
                        f"{templates_dir} is not a directory (it should hold page.html "
                        "and/or fragment.html)",
                    )
                ],
            )
    return settings.model_copy(
        update={
            "templates_dir": templates_dir,
            "run_report_dir": (base / settings.run_report_dir).resolve()
            if settings.run_report_dir
            else None,
            "output_dir": (base / settings.output_dir).resolve(),
            "state_path": (base / settings.state_path).resolve(),
            "state_url": _resolved_state_url(settings.state_url, base),
            "argos": argos,
            "engines": engines,
            "glossary": glossary,
            "config_path": path.resolve(),
        }
    )
