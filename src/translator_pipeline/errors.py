"""One exception tree for the whole pipeline.

Every error carries the context it concerns (URL, language pair, file and key)
so that a run report can say *what* failed and the user can act on it.

    PipelineError
    ├── ConfigError                 bad TOML / bad value (file, key, allowed values)
    ├── FetchError                  anything that stops one URL from being fetched
    │   ├── UnsafeURLError          scheme/host/address not allowed for the source
    │   ├── RobotsDisallowedError   robots.txt forbids it (or could not be read)
    │   ├── HTTPStatusError         non-success status after redirects
    │   │   └── ServerError         5xx/429 on every attempt (also an UnreachableError)
    │   ├── UnreachableError        timeouts, refused connections, failing servers:
    │   │                           the run counts these as failed, the others skipped
    │   ├── ResponseTooLargeError   body exceeded the configured limit
    │   └── UnsupportedContentError not HTML
    ├── DiscoveryError              a feed or sitemap is unusable (malformed, unsafe XML)
    ├── ExtractionError             page fetched but no article found in it
    │   └── NotAnArticleError       a listing, pager, tag, category, author or search page
    ├── LanguageError               language unknown or not one we translate from
    ├── EngineError                 translation engine missing or failed
    │   └── EngineNotFoundError     no engine registered under that name
    ├── GlossaryError               the glossary or segment overrides have errors (path, lines)
    ├── ReviewFileError             a review file (XLIFF) is malformed, unsafe or not ours
    ├── PublishError                output could not be written
    ├── StateError                  state database unusable
    ├── RunInProgressError          another run is publishing to the same output
    ├── OutputOwnershipError        the output belongs to another (or an older) state database
    ├── RunFailedError              a run could do nothing at all (every source or article failed)
    └── PrefectServerError          no Prefect server to schedule on (serve, deployments)
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DiscoveryError",
    "EngineError",
    "EngineNotFoundError",
    "ExtractionError",
    "FetchError",
    "GlossaryError",
    "HTTPStatusError",
    "LanguageError",
    "NotAnArticleError",
    "OutputOwnershipError",
    "PipelineError",
    "PrefectServerError",
    "PublishError",
    "ResponseTooLargeError",
    "ReviewFileError",
    "RobotsDisallowedError",
    "RunFailedError",
    "RunInProgressError",
    "ServerError",
    "StateError",
    "UnreachableError",
    "UnsafeURLError",
    "UnsupportedContentError",
]


class PipelineError(Exception):
    """Base class. ``url`` is set when the error concerns one article."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url

    def __str__(self) -> str:
        return f"{self.message} [{self.url}]" if self.url else self.message


class ConfigError(PipelineError):
    """A configuration file or override is invalid.

    ``problems`` lists every problem found, each as ``(location, message)``
    where location is ``file:key.path``; the message says what is allowed.
    """

    def __init__(self, path: str, problems: list[tuple[str, str]]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  {where}: {what}" for where, what in problems)
        super().__init__(f"invalid configuration in {path}:\n{lines}")


class FetchError(PipelineError):
    """The URL could not be fetched, or what came back cannot be used. ``status`` is
    the HTTP status of the response, when there was one."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        super().__init__(message, url=url)
        self.status = status


class UnreachableError(FetchError):
    """The server could not be reached, timed out, or kept failing (5xx, 429) after
    every retry: a problem of the site's backend, not of the page. ``attempts`` is
    the number of requests made (0 when the URL was not tried: it is backing off)."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message, url=url, status=status)
        self.attempts = attempts


class UnsafeURLError(FetchError):
    """The URL's scheme or host is not allowed for this source, or its host is (or
    resolves to) an address we never connect to (metadata, link-local, private …)."""


class RobotsDisallowedError(FetchError):
    """robots.txt forbids the URL, or could not be read and the host is off limits
    for this run. The URL was not requested; ``robots_url`` is the file consulted."""

    def __init__(self, message: str, *, url: str | None = None, robots_url: str) -> None:
        super().__init__(message, url=url)
        self.robots_url = robots_url


class HTTPStatusError(FetchError):
    """The server answered with a non-success status (after redirects): ``status``."""

    def __init__(self, message: str, *, url: str | None = None, status: int) -> None:
        super().__init__(message, url=url, status=status)
        self.status: int = status


class ServerError(HTTPStatusError, UnreachableError):
    """The server answered 5xx or 429 on every attempt (or asked, with Retry-After,
    for a longer wait than allowed)."""

    def __init__(self, message: str, *, url: str | None = None, status: int, attempts: int):
        UnreachableError.__init__(self, message, url=url, status=status, attempts=attempts)


class ResponseTooLargeError(FetchError):
    """The (decoded) body exceeded the configured byte limit."""


class UnsupportedContentError(FetchError):
    """The response is not an HTML document."""


class DiscoveryError(PipelineError):
    """A feed or sitemap was fetched but cannot be used (malformed, not a feed, unsafe XML)."""


class ExtractionError(PipelineError):
    """The page was fetched but no article could be extracted from it.
    ``selector_misses``: the source's selectors that matched nothing on it, by config
    key (``body_selector``, ``remove_selectors[1]``), when they were tried."""

    def __init__(
        self, message: str, *, url: str | None = None, selector_misses: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message, url=url)
        self.selector_misses = selector_misses


class NotAnArticleError(ExtractionError):
    """The page is a listing (pager, tag, category, author or search page), not an
    article: it is skipped, and withdrawn if it had been published."""


class LanguageError(PipelineError):
    """The article's language is undetermined or not translated from."""


class EngineError(PipelineError):
    """The translation engine failed or cannot serve a language pair."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        source: str | None = None,
        target: str | None = None,
    ) -> None:
        pair = f"{source}→{target}" if source and target else None
        super().__init__(f"{message} ({pair})" if pair else message, url=url)
        self.source = source
        self.target = target


class EngineNotFoundError(EngineError):
    """No engine is registered under the requested name."""


class GlossaryError(PipelineError):
    """The glossary (or the segment overrides) cannot be used; ``problems`` lists why,
    each as ``path:line: message``."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        details = "".join(f"\n  {p}" for p in self.problems)
        super().__init__(message + details)


class ReviewFileError(PipelineError):
    """A review file cannot be imported (malformed, truncated, hostile, too big, or not
    an export of ours); nothing of it is imported. ``path`` names the file."""

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class PublishError(PipelineError):
    """Published files could not be written."""


class StateError(PipelineError):
    """The state database cannot be opened or is corrupt."""


class RunInProgressError(PipelineError):
    """Another run holds this output's publishing lease (see :mod:`.lease`)."""


class OutputOwnershipError(PipelineError):
    """The output belongs to another state database, or to an older copy of this one
    (see :mod:`translator_pipeline.run.ownership`): nothing was written."""


class RunFailedError(PipelineError, RuntimeError):
    """A run that could do nothing at all: every source or article failed.

    Also a ``RuntimeError``, as this case was before the tree had it."""


class PrefectServerError(PipelineError):
    """No Prefect server to schedule on: PREFECT_API_URL unset or not answering."""
