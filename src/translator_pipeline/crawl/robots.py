"""robots.txt as the fetcher obeys it: which group applies to us (the product
token of our user agent), whether a URL is allowed, and the delay it asks for."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

from translator_pipeline.errors import RobotsDisallowedError, UnreachableError

__all__ = ["Robots", "unreadable", "user_agent_token"]


def user_agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against ("translator-pipeline")."""
    words = user_agent.split("/", 1)[0].split()
    return words[0] if words else user_agent


@dataclass(frozen=True)
class Robots:
    url: str
    parser: RobotFileParser | None  # None: ``allow_all`` applies to every path
    allow_all: bool = False
    reason: str = ""  # why every path is refused, when parser is None and not allow_all
    # Set when robots.txt could not be asked at all (refused connection, timeout, DNS):
    # the host is down, which every URL on it reports as such, not as a robots problem.
    unreachable: str = ""

    def check(self, url: str, token: str) -> None:
        if self.unreachable:
            raise UnreachableError(self.unreachable, url=url)
        if self.parser is None:
            if self.allow_all:
                return
            raise RobotsDisallowedError(self.reason, url=url, robots_url=self.url)
        if not self.parser.can_fetch(token, url):
            raise RobotsDisallowedError(
                f"robots.txt disallows this URL for user agent {token!r}",
                url=url,
                robots_url=self.url,
            )

    def delay(self, token: str) -> float | None:
        """Seconds between requests asked by ``Crawl-delay`` or ``Request-rate``."""
        if self.parser is None:
            return None
        delays = []
        crawl_delay = self.parser.crawl_delay(token)
        if crawl_delay is not None:
            delays.append(float(crawl_delay))
        rate = self.parser.request_rate(token)
        if rate is not None and rate.requests > 0:
            delays.append(rate.seconds / rate.requests)
        return max(delays, default=None)


def unreadable(why: str) -> str:
    return (
        f"robots.txt could not be read ({why}); as Google does, the host is treated "
        "as disallowed for this run"
    )
