"""Publishers: the local directory and fsspec URLs, S3 against a real local S3 server.

The S3 tests talk HTTP to moto's server on 127.0.0.1 (``s3_server`` fixture,
one per session, one bucket per test) through s3fs, exactly as they would to
AWS or MinIO, and read the results back the way a web team does: plain HTTP
GETs of a bucket with a public-read policy.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import uuid
from pathlib import Path

import pytest

from tests.factories import settings, variant
from translator_pipeline.config.settings import load_settings
from translator_pipeline.errors import ConfigError, PublishError
from translator_pipeline.models import Article, Block, Variant
from translator_pipeline.publishing import storage as publish
from translator_pipeline.publishing.storage import (
    FilesystemPublisher,
    FsspecPublisher,
    Publisher,
    content_type_for,
    publisher_for,
)
from translator_pipeline.store.state import StateStore

SETTINGS = settings()


def recorded(tmp_path: Path, *variants: Variant):
    """A state store in which ``variants`` of one article are recorded as published."""
    state = StateStore(tmp_path / "state" / "s.sqlite3")
    art = Article(
        url="https://s.org/news/a.html",
        source="s",
        title="T",
        body_html="<p>x</p>",
        blocks=(Block(0, "p", "<p>x</p>", "<p>x</p>"),),
        language="en",
    )
    state.slug_for(art.url, "s", "a")
    state.record_publication(
        art,
        [
            (v, f"{v.language}/{v.slug}/index.html", f"{v.language}/{v.slug}/fragment.html")
            for v in variants
        ],
    )
    return state


def public_bucket(s3_server) -> str:
    """A fresh bucket anyone may GET from (how a static site or CDN origin is set up)."""
    name = s3_server.create_bucket()
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ],
    }
    s3_server.boto3_client().put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    return name


@pytest.fixture
def bucket(s3_server) -> str:
    return public_bucket(s3_server)


@pytest.fixture
def s3(s3_server, bucket) -> FsspecPublisher:
    return FsspecPublisher(f"s3://{bucket}/site", s3_server.storage_options())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- one contract, three backends ---------------------------------------------


@pytest.fixture(params=["filesystem", "memory", "s3"])
def any_publisher(request, tmp_path) -> Publisher:
    if request.param == "filesystem":
        return FilesystemPublisher(tmp_path / "out")
    if request.param == "memory":
        return FsspecPublisher(f"memory://tp-{uuid.uuid4().hex}/out")
    s3_server = request.getfixturevalue("s3_server")
    bucket = s3_server.create_bucket()
    return FsspecPublisher(f"s3://{bucket}/site/", s3_server.storage_options())


def test_every_publisher_honours_the_protocol(any_publisher):
    p = any_publisher
    assert isinstance(p, Publisher)
    p.check()
    assert p.list() == []
    assert not p.exists("fr/a/index.html") and p.read("fr/a/index.html") is None

    assert p.write("fr/a/index.html", b"<p>un</p>") is True
    assert p.write("fr/a/index.html", b"<p>un</p>") is False  # identical: not written
    assert p.write("fr/a/index.html", b"<p>deux</p>") is True  # same size, new content
    assert p.read("fr/a/index.html") == b"<p>deux</p>"
    assert p.exists("fr/a/index.html")
    assert not p.exists("fr/a")  # a directory (prefix) is not a file
    p.write("manifest.json", b"{}")
    p.write("ar/b/index.html", "<p>عربي</p>".encode())

    assert p.list() == ["ar/b/index.html", "fr/a/index.html", "manifest.json"]
    assert p.list("fr") == p.list("fr/") == ["fr/a/index.html"]
    assert p.list("en") == []
    assert p.url_for("fr/a/index.html").endswith("/fr/a/index.html")

    assert p.delete("fr/a/index.html") is True
    assert p.delete("fr/a/index.html") is False
    assert not p.exists("fr/a/index.html")
    assert p.list() == ["ar/b/index.html", "manifest.json"]

    for bad in ("../escape.html", "/etc/passwd", "fr/../../x", ""):
        with pytest.raises(PublishError):
            p.write(bad, b"x")


def test_variants_then_manifest_through_the_shared_code(any_publisher, tmp_path):
    p = any_publisher
    ar, fr = variant("ar", html="<html>ar</html>"), variant("fr")
    assert p.publish_variant(ar) == ("ar/a/index.html", "ar/a/fragment.html")
    assert p.publish_variant(fr) == ("fr/a/index.html", "fr/a/fragment.html")
    state = recorded(tmp_path, ar, fr)
    assert p.publish_manifest(state.published(), SETTINGS) is True
    assert p.publish_manifest(state.published(), SETTINGS) is False
    manifest = json.loads(p.read("manifest.json"))
    assert [v["path"] for v in manifest["articles"][0]["variants"]] == [
        "ar/a/index.html",
        "fr/a/index.html",
    ]
    for entry in manifest["articles"][0]["variants"]:
        assert p.exists(entry["path"]) and p.exists(entry["fragment_path"])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("fr/a/index.html", "text/html; charset=utf-8"),
        ("fr/a/fragment.html", "text/html; charset=utf-8"),
        ("manifest.json", "application/json"),
        ("sitemap.xml", "application/xml"),
        ("fr/feed.xml", "application/atom+xml"),
        ("feeds/fr.atom", "application/atom+xml"),
        ("feeds/fr.atom.xml", "application/atom+xml"),
        ("logo.png", "image/png"),
        ("blob", "application/octet-stream"),
    ],
)
def test_content_types(name, expected):
    assert content_type_for(name) == expected


# --- S3 against the local server -----------------------------------------------


def test_s3_publication_is_served_with_content_type_and_cache_control(
    s3_server, bucket, s3, tmp_path
):
    ar, fr = variant("ar", html="<html dir=rtl>عربي</html>"), variant("fr")
    s3.publish_variant(ar)
    s3.publish_variant(fr)
    s3.publish_manifest(recorded(tmp_path, ar, fr).published(), SETTINGS)

    status, headers, body = s3_server.get(bucket, "site/ar/a/index.html")
    headers = {k.lower(): v for k, v in headers.items()}
    assert status == 200
    assert body.decode("utf-8") == "<html dir=rtl>عربي</html>"
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "public, max-age=300"

    status, headers, body = s3_server.get(bucket, "site/manifest.json")
    headers = {k.lower(): v for k, v in headers.items()}
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert headers["cache-control"] == "no-cache"  # the switch: always revalidated
    manifest = json.loads(body)
    for entry in manifest["articles"][0]["variants"]:
        for key in ("path", "fragment_path"):
            assert s3_server.get(bucket, f"site/{entry[key]}")[0] == 200

    s3.write("sitemap.xml", b"<urlset/>")
    s3.write("fr/feed.xml", b"<feed/>", cache_control="public, max-age=60")
    assert s3_server.get(bucket, "site/sitemap.xml")[1]["content-type"] == "application/xml"
    feed_headers = {k.lower(): v for k, v in s3_server.get(bucket, "site/fr/feed.xml")[1].items()}
    assert feed_headers["content-type"] == "application/atom+xml"
    assert feed_headers["cache-control"] == "public, max-age=60"


def test_s3_unchanged_republish_puts_nothing(s3_server, bucket, s3, tmp_path):
    ar, fr = variant("ar"), variant("fr")
    state = recorded(tmp_path, ar, fr)
    s3.publish_variant(ar)
    s3.publish_variant(fr)
    s3.publish_manifest(state.published(), SETTINGS)
    assert len(s3_server.puts(bucket)) == 6  # 2 pages, 2 fragments, manifest and schema

    before = len(s3_server.puts(bucket))
    s3.publish_variant(ar)
    s3.publish_variant(fr)
    assert s3.publish_manifest(state.published(), SETTINGS) is False
    assert s3_server.puts(bucket)[before:] == []

    # One changed page: one PUT (its fragment did not change).
    s3.publish_variant(variant("fr", html="<html>fr v2</html>"))
    assert s3_server.puts(bucket)[before:] == [f"/{bucket}/site/fr/a/index.html"]


def test_s3_multipart_etag_falls_back_to_comparing_bytes(s3_server, bucket, s3):
    """An ETag that is not the MD5 (multipart, KMS) must neither force nor skip a write."""
    client = s3_server.boto3_client()
    key = "site/fr/a/index.html"
    upload = client.create_multipart_upload(
        Bucket=bucket, Key=key, ContentType=content_type_for(key)
    )
    part = client.upload_part(
        Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=1, Body=b"<p>x</p>"
    )
    client.complete_multipart_upload(
        Bucket=bucket,
        Key=key,
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert "-" in client.head_object(Bucket=bucket, Key=key)["ETag"]
    before = len(s3_server.puts(bucket))
    assert s3.write("fr/a/index.html", b"<p>x</p>") is False
    assert s3.write("fr/a/index.html", b"<p>y</p>") is True
    assert s3_server.puts(bucket)[before:] == [f"/{bucket}/{key}"]


def test_s3_a_wrong_content_type_is_rewritten(s3_server, bucket, s3):
    s3_server.boto3_client().put_object(
        Bucket=bucket, Key="site/fr/a/index.html", Body=b"<p>x</p>", ContentType="text/plain"
    )
    assert s3.write("fr/a/index.html", b"<p>x</p>") is True
    assert s3.write("fr/a/index.html", b"<p>x</p>") is False
    headers = {k.lower(): v for k, v in s3_server.get(bucket, "site/fr/a/index.html")[1].items()}
    assert headers["content-type"] == "text/html; charset=utf-8"


def test_s3_list_and_delete_stay_under_the_prefix(s3_server, bucket, s3):
    client = s3_server.boto3_client()
    client.put_object(Bucket=bucket, Key="elsewhere/fr/a/index.html", Body=b"not ours")
    client.put_object(Bucket=bucket, Key="site-old/x.html", Body=b"not ours either")
    s3.publish_variant(variant("fr"))
    assert s3.list() == ["fr/a/fragment.html", "fr/a/index.html"]
    assert s3.delete("fr/a/index.html") and s3.delete("fr/a/fragment.html")
    assert s3.list() == []
    assert s3_server.get(bucket, "site/fr/a/index.html")[0] in (403, 404)
    assert client.get_object(Bucket=bucket, Key="elsewhere/fr/a/index.html")["Body"].read()


def assert_clean(error: PublishError, *fragments: str) -> None:
    message = str(error)
    for fragment in fragments:
        assert fragment in message, message
    assert "Traceback" not in message and "botocore" not in message
    assert error.__cause__ is None and error.__suppress_context__


def test_s3_missing_bucket_is_a_clear_publish_error(s3_server):
    p = FsspecPublisher("s3://no-such-bucket-tp/site", s3_server.storage_options())
    with pytest.raises(PublishError) as caught:
        p.check()
    assert_clean(caught.value, "s3://no-such-bucket-tp/site", "bucket does not exist")
    with pytest.raises(PublishError) as caught:
        p.publish_variant(variant("fr"))
    assert_clean(caught.value, "cannot write s3://no-such-bucket-tp/site/fr/a/index.html")


def test_s3_endpoint_down_is_a_clear_publish_error():
    endpoint = f"http://127.0.0.1:{free_port()}"
    options = {
        "endpoint_url": endpoint,
        "key": "k",
        "secret": "s",
        "client_kwargs": {"region_name": "us-east-1"},
        "config_kwargs": {"retries": {"max_attempts": 1}},  # fail fast in the test
    }
    p = FsspecPublisher("s3://bucket/site", options)
    for call in (p.check, lambda: p.exists("fr/a/index.html"), lambda: p.write("x.html", b"x")):
        with pytest.raises(PublishError) as caught:
            call()
        assert_clean(
            caught.value, "s3://bucket/site", "cannot reach the storage endpoint", endpoint
        )


def test_s3_refused_credentials_are_a_clear_publish_error(s3_server, bucket):
    p = FsspecPublisher(f"s3://{bucket}/site", s3_server.storage_options())
    with s3_server.authentication():  # the test key is not a known IAM key any more
        for call in (p.check, lambda: p.write("x.html", b"x"), lambda: p.exists("x.html")):
            with pytest.raises(PublishError) as caught:
                call()
            assert_clean(caught.value, f"s3://{bucket}/site", "access refused")


def test_s3_credentials_from_the_standard_aws_environment(s3_server, bucket, monkeypatch):
    """The recommended set-up: no secret in the config, AWS_* variables read by s3fs."""
    import boto3

    iam = boto3.client(
        "iam",
        endpoint_url=s3_server.endpoint_url,
        aws_access_key_id="setup",
        aws_secret_access_key="setup",
        region_name="us-east-1",
    )
    user = f"publisher-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    iam.put_user_policy(
        UserName=user,
        PolicyName="publish",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
            }
        ),
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    options = {"endpoint_url": s3_server.endpoint_url, "skip_instance_cache": True}
    with s3_server.authentication():
        FsspecPublisher(f"s3://{bucket}/site", options).publish_variant(variant("fr"))
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
        with pytest.raises(PublishError, match="access refused"):
            FsspecPublisher(f"s3://{bucket}/site", options).write("x.html", b"x")
    assert s3_server.get(bucket, "site/fr/a/index.html")[2] == b"<html>fr</html>"


# --- choosing the publisher from the settings -----------------------------------


def config(tmp_path: Path, publish_table: str = "") -> Path:
    path = tmp_path / "site.toml"
    path.write_text(
        f"""
output_dir = "public"

[[sources]]
name = "demo"
start_urls = ["http://127.0.0.1:8765/"]
{publish_table}
""",
        encoding="utf-8",
    )
    return path


def test_default_is_the_output_directory(tmp_path):
    p = publisher_for(load_settings(config(tmp_path), env={}))
    assert isinstance(p, FilesystemPublisher)
    assert p.root == tmp_path / "public"


def test_a_file_url_gets_the_atomic_filesystem_publisher(tmp_path):
    target = tmp_path / "www root"
    table = f'[publish]\nurl = "{target.as_uri()}"'
    p = publisher_for(load_settings(config(tmp_path, table), env={}))
    assert isinstance(p, FilesystemPublisher) and p.root == target


def test_s3_settings_with_secrets_from_tp_variables(s3_server, bucket, tmp_path):
    table = f"""
[publish]
url = "s3://{bucket}/site"
cache_control = "public, max-age=600"

[publish.storage_options]
endpoint_url = "{s3_server.endpoint_url}"
client_kwargs = {{ region_name = "us-east-1" }}
"""
    env = {
        "TP_PUBLISH__STORAGE_OPTIONS__KEY": "testing-access-key",
        "TP_PUBLISH__STORAGE_OPTIONS__SECRET": "testing-secret-key",
    }
    settings = load_settings(config(tmp_path, table), env=env)
    p = publisher_for(settings)
    assert isinstance(p, FsspecPublisher) and p.url == f"s3://{bucket}/site"
    assert settings.publish.storage_options["secret"] == "testing-secret-key"
    shown = json.dumps(settings.model_dump(mode="json"))
    assert "testing-secret-key" not in shown and "testing-access-key" not in shown
    assert s3_server.endpoint_url in shown
    p.check()
    p.write("fr/a/index.html", b"x")
    headers = {k.lower(): v for k, v in s3_server.get(bucket, "site/fr/a/index.html")[1].items()}
    assert headers["cache-control"] == "public, max-age=600"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('url = "s3://"', "names no bucket"),
        ('url = "public/out"', "is not a URL like s3://bucket/prefix"),
        ('url = "file://relative/dir"', "needs an absolute path"),
        ('url = "s3://AKIA:secret@bucket/x"', "credentials do not belong in the URL"),
        ('url = "nosuchproto://x"', "unknown storage protocol"),
        ('url = "gcs://bucket/x"', "needs the gcsfs package"),
        ('cache_control = "a\\nb"', "does not match"),
        ("storage_options = 3", "dictionary"),
        ('colour = "blue"', "unknown key"),
    ],
)
def test_bad_publish_settings_name_file_and_key(tmp_path, table, message):
    path = config(tmp_path, f"[publish]\n{table}")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    key = table.split(" =")[0]
    assert f"{path}:publish.{key}" in str(caught.value)
    assert message in str(caught.value)


def test_a_missing_backend_package_at_run_time_names_the_config_key(tmp_path, monkeypatch):
    settings = load_settings(config(tmp_path, '[publish]\nurl = "s3://bucket/x"'), env={})

    def missing(*args, **kwargs):
        raise PublishError("cannot publish to s3://bucket/x: Install s3fs to access S3")

    monkeypatch.setattr(publish, "FsspecPublisher", missing)
    with pytest.raises(ConfigError, match=r"site\.toml:publish\.url: .*Install s3fs"):
        publisher_for(settings)


# --- the local directory: atomic writes -----------------------------------------


@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_a_failing_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch, failing):
    p = FilesystemPublisher(tmp_path)
    p.write("fr/a/index.html", b"old complete page")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if failing == "write":
        real_fdopen = os.fdopen

        class HalfWriter:
            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, data):
                self.fh.write(data[: len(data) // 2])  # half the bytes reach the disk…
                boom()  # …then the disk is full

            def __getattr__(self, name):
                return getattr(self.fh, name)

        monkeypatch.setattr(
            publish.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode))
        )
    else:
        monkeypatch.setattr(publish.os, failing, boom)

    with pytest.raises(PublishError, match="No space left on device"):
        p.write("fr/a/index.html", b"new page, never seen half-written")
    monkeypatch.undo()
    assert p.read("fr/a/index.html") == b"old complete page"
    assert sorted(x.name for x in (tmp_path / "fr" / "a").iterdir()) == ["index.html"]


def test_a_reader_never_sees_a_partial_file(tmp_path):
    p = FilesystemPublisher(tmp_path)
    versions = [bytes([65 + i]) * 400_000 for i in range(4)]
    p.write("manifest.json", versions[0])
    complete = set(versions)
    seen: list[bool] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.append((tmp_path / "manifest.json").read_bytes() in complete)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(40):
            p.write("manifest.json", versions[i % 4])
    finally:
        stop.set()
        reader.join()
    assert seen and all(seen)


def test_filesystem_delete_prunes_empty_directories_and_list_shows_leftovers(tmp_path):
    p = FilesystemPublisher(tmp_path / "out")
    p.publish_variant(variant("fr"))
    leftover = tmp_path / "out" / "fr" / "a" / ".index.html.x1y2.tmp"  # a killed writer's
    leftover.write_bytes(b"half")
    assert p.list() == ["fr/a/.index.html.x1y2.tmp", "fr/a/fragment.html", "fr/a/index.html"]
    for rel in p.list():
        p.delete(rel)
    assert p.list() == []
    assert not (tmp_path / "out" / "fr").exists()
    assert (tmp_path / "out").is_dir()  # the root stays


def test_filesystem_check_reports_an_unwritable_root(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PublishError, match="cannot create"):
        FilesystemPublisher(blocker / "out").check()
    FilesystemPublisher(tmp_path / "new" / "out").check()
    assert (tmp_path / "new" / "out").is_dir()


# --- the whole flow, publishing to S3 --------------------------------------------


@pytest.mark.usefixtures("prefect_harness")
def test_flow_publishes_to_s3(site_server, s3_server, tmp_path):
    from tests.factories import write_config
    from translator_pipeline.flows import translate_and_publish

    bucket = public_bucket(s3_server)
    path = write_config(tmp_path, site_server.base_url)
    path.write_text(
        path.read_text(encoding="utf-8")
        + f"""
[publish]
url = "s3://{bucket}/news"

[publish.storage_options]
endpoint_url = "{s3_server.endpoint_url}"
key = "testing-access-key"
secret = "testing-secret-key"
client_kwargs = {{ region_name = "us-east-1" }}
""",
        encoding="utf-8",
    )
    report = translate_and_publish(config_path=str(path))
    assert report.count("published") == 4, report.outcomes
    assert not (tmp_path / "out").exists()  # nothing went to output_dir

    status, headers, body = s3_server.get(bucket, "news/manifest.json")
    assert status == 200
    manifest = json.loads(body)
    assert len(manifest["articles"]) == 4

    for entry in manifest["articles"]:
        for v in entry["variants"]:
            status, headers, page = s3_server.get(bucket, f"news/{v['path']}")
            assert status == 200
            assert {k.lower(): x for k, x in headers.items()}["content-type"].startswith(
                "text/html"
            )
            assert v["checksum"] == "sha256:" + hashlib.sha256(page).hexdigest()
            assert s3_server.get(bucket, f"news/{v['fragment_path']}")[0] == 200
    # The manifest was the last published object, then the output's marker (which
    # state publishes there); then the run's own report.
    *published, marker_put, report_put = s3_server.puts(bucket)
    assert published[-1] == f"/{bucket}/news/manifest.json"
    assert marker_put == f"/{bucket}/news/.translator-pipeline.json"
    assert report_put == f"/{bucket}/news/run-report.json"
    assert json.loads(s3_server.get(bucket, "news/run-report.json")[2])["counts"]["new"] == 4

    before = len(s3_server.puts(bucket))
    again = translate_and_publish(config_path=str(path))
    assert again.count("unchanged") == 4, again.outcomes
    # Only the new run report was written.
    assert s3_server.puts(bucket)[before:] == [f"/{bucket}/news/run-report.json"]
