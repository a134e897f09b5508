"""What the pipeline remembers between runs, in one database.

- ``articles``: every article seen, its slug (assigned once, stable forever),
  language, title and the hash of its extracted content;
- ``variants``: every published variant with the content hash, engine
  signature and glossary fingerprint it was made from, its files and checksum;
- ``outbox``: webhook events, queued in the transaction that records the
  publication they announce, delivered (and marked) later;
- ``fetch_failures``: URLs unreachable on consecutive runs and when to try
  them again (exponential backoff);
- ``memory``: the translation memory — engine output per (engine signature,
  language pair, glossary fingerprint of the text, engine input), so an edited
  article re-translates only its changed segments and an edited glossary term
  only the segments that contain it.

A variant needs (re)publishing when it is missing, its article's content
changed, the engine signature changed, or the glossary entries (and pinned
segments) found in the article changed. The texts the glossary is matched
against are kept per article, so a glossary edit can be checked against an
article that did not change without fetching it again. A publication is recorded only
after its files are in place, so a crash mid-run re-does work, never loses it.

The database is named by a SQLAlchemy URL (or a plain path: a SQLite file):

- **SQLite** (the default, one machine): WAL, a 30 s busy timeout, foreign
  keys on; every write is its own short ``BEGIN IMMEDIATE`` transaction, so
  Prefect's worker threads and a second process wait for each other instead
  of failing with "database is locked".
- **PostgreSQL** (``postgresql://user:password@host/dbname``, several workers
  on several machines; psycopg 3): READ COMMITTED writes that lock the
  article row they change, ``ON CONFLICT`` upserts, and a unique slug
  constraint with retry, so two workers never hand out the same slug; reads
  see one snapshot (REPEATABLE READ, read only).

One engine (connection pool, ``pool_pre_ping``) per URL per process. Every
database error becomes a :class:`StateError` naming the database, with the
password masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from translator_pipeline.models import Approval, VariantReview
from translator_pipeline.store.articles import ArticleRecords
from translator_pipeline.store.db import mask_url, parse_state_url, utc_now
from translator_pipeline.store.fetch_failures import FetchFailure, FetchFailureRecords
from translator_pipeline.store.leases import Lease, LeaseRecords
from translator_pipeline.store.memory import MemoryRecords, TranslationMemory
from translator_pipeline.store.outbox import EventFactory, OutboxRecords
from translator_pipeline.store.outputs import OutputRecord, OutputRecords
from translator_pipeline.store.reviews import ReviewRecords
from translator_pipeline.translate.memory import memory_key

if TYPE_CHECKING:
    from translator_pipeline.config.settings import Settings

__all__ = [
    "Approval",
    "EventFactory",
    "FetchFailure",
    "Lease",
    "OutputRecord",
    "StateStore",
    "TranslationMemory",
    "VariantReview",
    "mask_url",
    "memory_key",
    "parse_state_url",
    "utc_now",
]


class StateStore(
    ArticleRecords,
    OutboxRecords,
    MemoryRecords,
    LeaseRecords,
    FetchFailureRecords,
    ReviewRecords,
    OutputRecords,
):
    """The state database: a SQLite file path (created with its directory on first
    use) or a SQLAlchemy URL (``sqlite:///…``, ``postgresql://user:password@host/db``).

    ``path`` is the SQLite file (None for PostgreSQL); ``url`` names the database
    with its password masked; ``engine`` is the process's shared engine for it.
    """

    @classmethod
    def from_settings(cls, settings: Settings) -> StateStore:
        """The store the settings name: ``state_url``, else the SQLite file ``state_path``."""
        return cls(settings.state_url or settings.state_path)
