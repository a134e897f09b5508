"""Publishers: where variants and the manifest go (a directory, or any fsspec URL).

Layout (the web team's contract), relative to the publisher's root::

    <lang>/<slug>/index.html     complete page
    <lang>/<slug>/fragment.html  the article only, for CMS embedding
    manifest.json                every article and its variants

Two publishers implement one :class:`Publisher` protocol:

- :class:`FilesystemPublisher` (the default, ``output_dir``): each file is
  written to a temporary file in the same directory, flushed, ``fsync``-ed and
  renamed over the old one, so a reader never sees half a file.
- :class:`FsspecPublisher`: any fsspec URL (``s3://bucket/prefix`` with
  s3fs, ``gcs://`` with gcsfs, ``memory://`` …). On object storage a PUT is
  atomic per object: readers see the old object or the new one, never a mix.
  Objects get ``Content-Type`` and ``Cache-Control`` metadata (S3).

Both write a file only when its stored content differs: an unchanged re-run
rewrites nothing. Integrity across files: variant files are written first,
the manifest last (the flow writes it after every article), so **the
manifest is the switch** — a consumer that reads ``manifest.json`` first and
then the paths it lists only ever follows complete files. A file not (yet)
in the manifest may be absent, incomplete as a set, or about to be replaced.

Backend failures become :class:`~.errors.PublishError` naming the URL and the
reason (bucket missing, access refused, endpoint unreachable…), never a raw
driver traceback.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import os
import posixpath
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

from translator_pipeline.config.settings import DEFAULT_CACHE_CONTROL, MANIFEST_CACHE_CONTROL
from translator_pipeline.errors import ConfigError, PublishError
from translator_pipeline.files import write_atomic
from translator_pipeline.models import PublishedVariant, StoredArticle, Variant
from translator_pipeline.processes import is_dead_here
from translator_pipeline.publishing.render import variant_path

if TYPE_CHECKING:
    from translator_pipeline.config.settings import Settings

Published = list[tuple[StoredArticle, list[PublishedVariant]]]

__all__ = [
    "MANIFEST_NAME",
    "SCHEMA_NAME",
    "BasePublisher",
    "FilesystemPublisher",
    "FsspecPublisher",
    "Publisher",
    "content_type_for",
    "publisher_for",
]

MANIFEST_NAME = "manifest.json"
SCHEMA_NAME = "manifest.schema.json"
# Object stores: no directories to create, one PUT replaces an object atomically.
OBJECT_STORE_PROTOCOLS = frozenset(
    {"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "oss", "tos", "r2"}
)
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}
_ATOM_NAMES = ("feed.xml", "atom.xml")


def content_type_for(relative: str) -> str:
    """The ``Content-Type`` a published file is served with, from its name.

    ``.html`` → ``text/html; charset=utf-8``, ``.json`` → ``application/json``,
    ``.xml`` → ``application/xml`` except ``feed.xml``/``atom.xml``/``*.atom.xml``
    and ``.atom`` → ``application/atom+xml``. Pass ``content_type`` to
    :meth:`Publisher.write` to override.
    """
    name = posixpath.basename(relative).lower()
    if name in _ATOM_NAMES or name.endswith(".atom.xml"):
        return "application/atom+xml"
    ext = posixpath.splitext(name)[1]
    if ext in _CONTENT_TYPES:
        return _CONTENT_TYPES[ext]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def _clean_relative(relative: str, *, allow_empty: bool = False) -> str:
    """``relative`` as a safe POSIX path below the root (no ``..``, not absolute)."""
    text = str(relative).replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        raise PublishError(f"not a relative path: {relative!r}")
    parts = [p for p in text.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise PublishError(f"path leaves the publication root: {relative!r}")
    if not parts and not allow_empty:
        raise PublishError("empty path")
    return "/".join(parts)


@runtime_checkable
class Publisher(Protocol):
    """Where published files go. Paths are POSIX and relative to the root.

    - ``exists(rel)``: is there a file (object) at ``rel``?
    - ``read(rel)``: its bytes, or ``None`` when absent.
    - ``write(rel, data, *, content_type=None, cache_control=None)``: store
      ``data`` atomically (a reader sees the old or the new content, never a
      mix); ``False`` when the stored content is already identical (nothing
      is written). ``content_type`` defaults to :func:`content_type_for`;
      metadata is applied where the backend has it (object storage).
    - ``delete(rel)``: remove; ``False`` when there was nothing to remove.
    - ``list(prefix="")``: every file below ``prefix`` (recursively), sorted,
      relative to the root — what exists, to find orphans. The filesystem
      publisher also lists leftover ``.<name>.<random>.tmp`` files of a killed
      writer, so a cleaner can remove them.
    - ``url_for(rel="")``: where ``rel`` is, for messages (a path or a URL).
    - ``check()``: raise :class:`PublishError` when the root cannot be used
      (bucket missing, credentials refused, endpoint down); cheap, writes
      nothing — call it once before a run.
    - ``publish_variant(variant)``: write page and fragment; their paths.
    - ``publish_manifest(published, settings, sweep=True)``: write ``manifest.json``
      (then sweep); False if unchanged.
    """

    def exists(self, relative: str) -> bool: ...

    def read(self, relative: str) -> bytes | None: ...

    def write(
        self,
        relative: str,
        data: bytes,
        *,
        content_type: str | None = None,
        cache_control: str | None = None,
    ) -> bool: ...

    def delete(self, relative: str) -> bool: ...

    def list(self, prefix: str = "") -> list[str]: ...

    def url_for(self, relative: str = "") -> str: ...

    def check(self) -> None: ...

    def publish_variant(self, variant: Variant) -> tuple[str, str]: ...

    def publish_manifest(
        self, published: Published, settings: Settings, *, sweep: bool = True
    ) -> bool: ...

    def sweep(self, published: Published, keep: set[str] = ...) -> list[str]: ...


class BasePublisher:
    """What every publisher does on top of its storage primitives (shared code)."""

    cache_control: str = DEFAULT_CACHE_CONTROL
    manifest_cache_control: str = MANIFEST_CACHE_CONTROL

    def write(
        self,
        relative: str,
        data: bytes,
        *,
        content_type: str | None = None,
        cache_control: str | None = None,
    ) -> bool:
        raise NotImplementedError

    def publish_variant(self, variant: Variant) -> tuple[str, str]:
        """Write a variant's page and fragment; return their paths relative to the root."""
        page = variant_path(variant.language, variant.slug)
        fragment = page.rsplit("/", 1)[0] + "/fragment.html"
        self.write(page, variant.page_html.encode("utf-8"))
        self.write(fragment, variant.fragment_html.encode("utf-8"))
        return page, fragment

    def publish_manifest(
        self, published: Published, settings: Settings, *, sweep: bool = True
    ) -> bool:
        """Write the sitemap and feeds, the manifest's JSON Schema, then ``manifest.json``
        (the switch consumers follow), then remove what no longer belongs (see
        :meth:`sweep`; ``sweep=False`` for a run sharing the output with others at
        once, whose files written but not yet recorded it would delete). Call it after
        the variant files. False if the manifest did not change."""
        from translator_pipeline.publishing.feeds import feed_files
        from translator_pipeline.publishing.manifest import manifest_bytes, manifest_schema_bytes

        extra = feed_files(published, settings)
        for path, data in extra.items():
            self.write(path, data, cache_control=self.manifest_cache_control)
        self.write(SCHEMA_NAME, manifest_schema_bytes())
        changed = self.write(
            MANIFEST_NAME,
            manifest_bytes(published, settings),
            cache_control=self.manifest_cache_control,
        )
        if sweep:
            self.sweep(published, keep=set(extra))
        return changed

    def sweep(self, published: Published, keep: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
        """Delete our files that the manifest no longer lists — variant pages and
        fragments of withdrawn articles, stale sitemaps and feeds — and temporary
        files a killed writer left behind. Files of other shapes are never touched.
        Returns what was deleted."""
        referenced = {MANIFEST_NAME, SCHEMA_NAME, *keep}
        for _article, variants in published:
            for v in variants:
                referenced.update((v.path, v.fragment_path))
        deleted = []
        for relative in self.list():
            name = relative.rsplit("/", 1)[-1]
            if _TEMP_FILE.match(name):
                if self._abandoned(relative):
                    self.delete(relative)
                    deleted.append(relative)
            elif _OWN_FILE.match(relative) and relative not in referenced:
                self.delete(relative)
                deleted.append(relative)
        return deleted

    def _abandoned(self, relative: str) -> bool:
        """Whether a temporary file is old enough that no writer can still own it."""
        return False


# What this package writes (and may therefore delete), and write_atomic's temp files.
_OWN_FILE = re.compile(
    r"^(?:[a-z]{2,3}(?:-[a-z0-9]{2,8})*/[a-z0-9][a-z0-9-]*/(?:index|fragment)\.html"
    r"|sitemap(?:-\d+)?\.xml"
    r"|[a-z]{2,3}(?:-[a-z0-9]{2,8})*/feed\.atom)$"
)
_TEMP_FILE = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")
_WRITER_IN_NAME = re.compile(r"\.([A-Za-z0-9_-]+)~(\d+)\.[A-Za-z0-9_]+\.tmp$")
TEMP_MAX_AGE = 3600  # seconds: older temp files belong to no live writer


class FilesystemPublisher(BasePublisher):
    """Publishes into a local directory, each file by temp file + ``fsync`` + rename.

    ``content_type``/``cache_control`` are accepted and ignored: the web
    server in front of the directory decides the headers.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, relative: str, *, allow_empty: bool = False) -> Path:
        clean = _clean_relative(relative, allow_empty=allow_empty)
        return self.root / clean if clean else self.root

    def url_for(self, relative: str = "") -> str:
        return str(self._path(relative, allow_empty=True))

    def exists(self, relative: str) -> bool:
        return self._path(relative).is_file()

    def read(self, relative: str) -> bytes | None:
        path = self._path(relative)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        except OSError as exc:
            raise PublishError(f"cannot read {path}: {exc.strerror or exc}") from exc

    def write(
        self,
        relative: str,
        data: bytes,
        *,
        content_type: str | None = None,
        cache_control: str | None = None,
    ) -> bool:
        return write_atomic(self._path(relative), data)

    def delete(self, relative: str) -> bool:
        """Remove a file, then its directories up to the root if they are left empty."""
        path = self._path(relative)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise PublishError(f"cannot delete {path}: {exc.strerror or exc}") from exc
        parent = path.parent
        while parent != self.root and self.root in parent.parents:
            try:
                parent.rmdir()
            except OSError:  # not empty (or gone): stop
                break
            parent = parent.parent
        return True

    def list(self, prefix: str = "") -> list[str]:
        base = self._path(prefix, allow_empty=True)
        if not base.is_dir():
            return [_clean_relative(prefix)] if base.is_file() else []
        try:
            return sorted(
                p.relative_to(self.root).as_posix() for p in base.rglob("*") if p.is_file()
            )
        except OSError as exc:
            raise PublishError(f"cannot list {base}: {exc.strerror or exc}") from exc

    def _abandoned(self, relative: str) -> bool:
        """A temp file is abandoned when its writer (named in it) was a process of this
        host that no longer runs, or when it is older than any write takes."""
        path = self._path(relative)
        owner = _WRITER_IN_NAME.search(path.name)
        if owner and is_dead_here(owner.group(1), int(owner.group(2))):
            return True
        try:
            return time.time() - path.stat().st_mtime > TEMP_MAX_AGE
        except OSError:
            return False

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PublishError(f"cannot create {self.root}: {exc.strerror or exc}") from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise PublishError(f"cannot write into {self.root}: permission denied")


def _exception_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _reason(exc: BaseException, endpoint: str | None) -> str:
    """A one-line, user-facing reason for a storage backend's exception."""
    names = _exception_names(exc)
    text = str(exc).strip() or type(exc).__name__
    where = f" {endpoint}" if endpoint else ""
    if names & {"NoCredentialsError", "PartialCredentialsError", "CredentialRetrievalError"}:
        return (
            f"no usable credentials ({text}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or [publish] storage_options key/secret)"
        )
    if isinstance(exc, PermissionError) or names & {"AccessDenied", "ClientAuthenticationError"}:
        return (
            f"access refused by the storage service: {text} "
            "(check the credentials and the bucket's policy)"
        )
    if isinstance(exc, FileNotFoundError):
        return f"not found: {text} (check the bucket name in [publish] url)"
    if names & {
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ConnectionClosedError",
        "ReadTimeoutError",
        "ClientConnectorError",
        "ServerDisconnectedError",
        "ConnectionError",
        "TimeoutError",
    }:
        return f"cannot reach the storage endpoint{where}: {text}"
    return f"{type(exc).__name__}: {text}"


class FsspecPublisher(BasePublisher):
    """Publishes below any fsspec URL: ``s3://bucket/prefix``, ``gcs://…``, ``memory://…``.

    ``storage_options`` go to the backend (for s3fs: ``endpoint_url``, ``key``,
    ``secret``, ``client_kwargs``, ``config_kwargs`` …). Without ``key`` and
    ``secret``, s3fs uses the standard AWS chain (``AWS_ACCESS_KEY_ID``/
    ``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, instance roles).

    Writes compare first, cheaply: one metadata request (HEAD). A different
    size means changed; an S3 ETag equal to the content's MD5 (single-part
    upload, no KMS) or a GCS ``md5Hash`` equal to it means unchanged;
    anything else (multipart or KMS ETags, backends without checksums) reads
    the object and compares bytes. A changed ``Content-Type`` is rewritten.

    On object storage each PUT is atomic. On backends with real directories
    (``sftp://``, ``ftp://``, ``file://``) a file may be seen half-written
    while it is uploaded: publish locally with :class:`FilesystemPublisher`.
    """

    def __init__(
        self,
        url: str,
        storage_options: Mapping[str, Any] | None = None,
        *,
        cache_control: str = DEFAULT_CACHE_CONTROL,
        manifest_cache_control: str = MANIFEST_CACHE_CONTROL,
    ) -> None:
        from fsspec.core import url_to_fs

        self.url = url.rstrip("/")
        options = dict(storage_options or {})
        self.endpoint = options.get("endpoint_url") or (
            (options.get("client_kwargs") or {}).get("endpoint_url")
        )
        self.cache_control = cache_control
        self.manifest_cache_control = manifest_cache_control
        try:
            self.fs, root = url_to_fs(url, **options)
        except ImportError as exc:
            raise PublishError(f"cannot publish to {self.url}: {exc}") from None
        except Exception as exc:  # bad options, unknown protocol: say which
            raise PublishError(f"cannot publish to {self.url}: {_reason(exc, None)}") from None
        self.root = root.rstrip("/")
        protocols = self.fs.protocol
        self.protocols = frozenset([protocols] if isinstance(protocols, str) else protocols)
        self.object_store = bool(self.protocols & OBJECT_STORE_PROTOCOLS)
        self.s3 = bool(self.protocols & {"s3", "s3a"})

    def __repr__(self) -> str:
        return f"FsspecPublisher({self.url!r})"

    # --- paths and errors ----------------------------------------------------

    def _path(self, relative: str, *, allow_empty: bool = False) -> str:
        clean = _clean_relative(relative, allow_empty=allow_empty)
        return f"{self.root}/{clean}" if clean else self.root

    def url_for(self, relative: str = "") -> str:
        clean = _clean_relative(relative, allow_empty=True)
        return f"{self.url}/{clean}" if clean else self.url

    @contextmanager
    def _errors(self, action: str, relative: str) -> Iterator[None]:
        try:
            yield
        except PublishError:
            raise
        except Exception as exc:  # any backend's exception: one clear PublishError
            # "from None": the driver's traceback is not the message (it stays
            # reachable as __context__ for debugging).
            raise PublishError(
                f"cannot {action} {self.url_for(relative)}: {_reason(exc, self.endpoint)}"
            ) from None

    def _info(self, path: str) -> dict[str, Any] | None:
        """The object's metadata, or None if there is no file there (fresh, not cached)."""
        self.fs.invalidate_cache(path)
        try:
            info = self.fs.info(path)
        except FileNotFoundError:
            return None
        return info if info.get("type", "file") == "file" else None

    # --- the protocol --------------------------------------------------------

    def exists(self, relative: str) -> bool:
        path = self._path(relative)
        with self._errors("check", relative):
            return self._info(path) is not None

    def read(self, relative: str) -> bytes | None:
        path = self._path(relative)
        with self._errors("read", relative):
            self.fs.invalidate_cache(path)
            try:
                return bytes(self.fs.cat_file(path))
            except (FileNotFoundError, IsADirectoryError):
                return None

    def write(
        self,
        relative: str,
        data: bytes,
        *,
        content_type: str | None = None,
        cache_control: str | None = None,
    ) -> bool:
        path = self._path(relative)
        content_type = content_type or content_type_for(relative)
        cache_control = cache_control or self.cache_control
        with self._errors("write", relative):
            info = self._info(path)
            if info is not None and self._unchanged(path, info, data, content_type):
                return False
            if not self.object_store:
                self.fs.makedirs(posixpath.dirname(path), exist_ok=True)
            self.fs.pipe_file(path, data, **self._metadata(content_type, cache_control))
            self.fs.invalidate_cache(path)
        return True

    def delete(self, relative: str) -> bool:
        path = self._path(relative)
        with self._errors("delete", relative):
            if self._info(path) is None:
                return False
            self.fs.rm_file(path)
            self.fs.invalidate_cache(path)
        return True

    def list(self, prefix: str = "") -> list[str]:
        base = self._path(prefix, allow_empty=True)
        with self._errors("list", prefix):
            self.fs.invalidate_cache(base)
            found = self.fs.find(base)
        start = self.root.lstrip("/") + "/"
        names = (str(f).lstrip("/") for f in found)
        return sorted(n[len(start) :] for n in names if n.startswith(start))

    def check(self) -> None:
        """Fail now, with the reason, if the root cannot be used. Writes nothing.

        S3: one ``ListObjectsV2`` (``MaxKeys=1``) under the prefix proves the
        endpoint answers, the bucket exists and the credentials are accepted.
        Other backends: a listing of the root (a root not created yet is fine).
        """
        with self._errors("use", ""):
            if self.s3:
                bucket, key, _ = self.fs.split_path(self.root)
                prefix = f"{key}/" if key else ""
                self.fs.call_s3("list_objects_v2", Bucket=bucket, Prefix=prefix, MaxKeys=1)
                return
            self.fs.invalidate_cache(self.root)
            with suppress(FileNotFoundError):  # a root not created yet: the first write does
                self.fs.ls(self.root, detail=False)

    # --- helpers -------------------------------------------------------------

    def _metadata(self, content_type: str, cache_control: str) -> dict[str, str]:
        if self.s3:  # s3fs passes these to PutObject
            return {"ContentType": content_type, "CacheControl": cache_control}
        return {}

    def _unchanged(
        self, path: str, info: Mapping[str, Any], data: bytes, content_type: str
    ) -> bool:
        size = info.get("size", info.get("Size"))
        if size is not None and int(size) != len(data):
            return False
        stored_type = info.get("ContentType", info.get("contentType"))
        if stored_type is not None and stored_type != content_type:
            return False
        md5 = hashlib.md5(data, usedforsecurity=False)
        etag = str(info.get("ETag", info.get("etag", ""))).strip('"').lower()
        if etag == md5.hexdigest():
            return True
        if info.get("md5Hash") == base64.b64encode(md5.digest()).decode("ascii"):
            return True
        # Multipart/KMS ETags, backends without a checksum: compare the bytes.
        return bytes(self.fs.cat_file(path)) == data


def publisher_for(settings: Settings) -> Publisher:
    """The publisher the settings ask for: ``[publish] url``, else ``output_dir``.

    ``file://`` URLs get the atomic :class:`FilesystemPublisher`. A backend
    whose package is missing (``s3://`` without s3fs) is a :class:`ConfigError`
    naming ``file:publish.url`` and the package to install. Nothing is
    contacted here; call :meth:`Publisher.check` for that.
    """
    options = settings.publish
    if options.url is None:
        return FilesystemPublisher(settings.output_dir)
    parts = urlsplit(options.url)
    if parts.scheme == "file":
        return FilesystemPublisher(Path(unquote(parts.path)))
    shown = str(settings.config_path) if settings.config_path else "settings"
    try:
        return FsspecPublisher(
            options.url,
            options.storage_options,
            cache_control=options.cache_control,
            manifest_cache_control=options.manifest_cache_control,
        )
    except PublishError as exc:
        raise ConfigError(shown, [(f"{shown}:publish.url", exc.message)]) from None
