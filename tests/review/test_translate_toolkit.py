"""Weblate reads and writes XLIFF through translate-toolkit: an export must come
through it with its inline tags as placeables, and what it writes after a
translator's edit and approval must import as approved, tags intact."""

from lxml import etree
from translate.storage.placeables import xliff as placeables
from translate.storage.xliff import xlifffile

from tests.review import site as demo
from translator_pipeline.cli.main import main


def test_an_export_edited_and_approved_through_translate_toolkit_imports(translated, capsys):
    config = translated
    exported = config.parent / "review-fr.xlf"
    args = ["review", "export", "--config", str(config), "--language", "fr", "-o", str(exported)]
    assert main(args) == 0
    store = xlifffile.parsestring(exported.read_bytes())
    units = list(store.unit_iter())
    assert units and all(not u.isapproved() for u in units)
    with_link = next(u for u in units if "rapport final" in u.target)
    # Its link is a <g> placeable and its kept number an <x/> one, as Weblate shows them.
    elements = list(with_link.rich_target[0].depth_first())
    assert any(isinstance(e, placeables.G) for e in elements)
    assert any(isinstance(e, placeables.X) for e in elements)

    # The translator rewords the link text (the tags stay as Weblate shows them)…
    rich = with_link.rich_target
    for leaf in rich[0].flatten():
        if leaf.sub and isinstance(leaf.sub[0], str) and "rapport final" in leaf.sub[0]:
            leaf.sub = [leaf.sub[0].replace("rapport final", "rapport définitif")]
    with_link.rich_target = rich
    with_link.markfuzzy(False)
    with_link.markapproved(True)
    # …and retypes a heading, which has no tags.
    heading = next(u for u in units if u.target == "Les ministres se réunissent à Rabat")
    heading.target = "Réunion des ministres à Rabat"
    heading.markfuzzy(False)
    reviewed = config.parent / "reviewed-fr.xlf"
    reviewed.write_bytes(bytes(store))
    assert etree.fromstring(reviewed.read_bytes()) is not None

    capsys.readouterr()
    imp = ["review", "import", str(reviewed), "--config", str(config), "--strict-states"]
    assert main(imp) == 0
    assert "2 approved, 0 unchanged" in capsys.readouterr().out
    approved = {a.target for a in demo.state(config).approved_segments()}
    assert "Réunion des ministres à Rabat" in approved
    assert any("<g2>rapport définitif</g2>" in t and "<x1/>" in t for t in approved)

    demo.run(config)
    page = demo.published_page(config, demo.variant_entry(config, "plan.html", "fr"))
    assert "rapport définitif</a>" in page and "Réunion des ministres à Rabat" in page
