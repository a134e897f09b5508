"""Review-file fixtures: the OASIS XLIFF schemas and OmegaT, from Debian packages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from tests.review import site as demo
from tests.support.programs import missing
from tests.support.server import serve
from translator_pipeline import engines

# Debian's php-symfony-translation ships the OASIS XLIFF 1.2 (strict) and 2.0 schemas
# and the W3C xml.xsd they import; nothing else on the machine carries them.
SCHEMAS = Path("/usr/share/php/Symfony/Component/Translation/Resources/schemas")


class _LocalXmlXsd(etree.Resolver):
    """The schemas import http://www.w3.org/2001/xml.xsd: read the local copy."""

    def resolve(self, url, pubid, context):
        if url and url.endswith("xml.xsd"):
            return self.resolve_filename(str(SCHEMAS / "xml.xsd"), context)
        return None


def load_schema(name: str) -> etree.XMLSchema:
    if not (SCHEMAS / name).exists():
        missing(f"the XLIFF schema {SCHEMAS / name}", "apt-get install php-symfony-translation")
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalXmlXsd())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name), parser))


@pytest.fixture(scope="session")
def xliff12_schema() -> etree.XMLSchema:
    return load_schema("xliff-core-1.2-strict.xsd")


@pytest.fixture(scope="session")
def xliff20_schema() -> etree.XMLSchema:
    return load_schema("xliff-core-2.0.xsd")


@pytest.fixture(scope="session")
def omegat() -> str:
    binary = shutil.which("omegat")
    if binary is None:
        missing("OmegaT (the omegat program)", "apt-get install omegat")
    return binary


@pytest.fixture
def translated(tmp_path, monkeypatch):
    """The two-article site run once; yields its config."""
    monkeypatch.setitem(engines._BUILTIN, "scripted", f"{demo.__name__}:Scripted")
    engines.clear_engine_cache()
    server = demo.serve_site()
    with serve(server):
        config = demo.write_config(tmp_path, server)
        report = demo.run(config)
        assert [o.status for o in report.outcomes] == ["published", "published"]
        yield config
    engines.clear_engine_cache()
