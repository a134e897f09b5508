"""Checking reviewed units against the state: what is approved, what is not, and why."""

from dataclasses import replace

from tests.review.records import URL, records, variant
from translator_pipeline.glossary.pinned import segment_key
from translator_pipeline.review.apply import check_review_files
from translator_pipeline.review.export import review_files
from translator_pipeline.review.xliff import read_xliff, write_xliff


def reviewed(edit, **kwargs):
    """Export the test variant, let ``edit`` change the read units, check them."""
    v = variant()
    [rf] = read_xliff(write_xliff(review_files([v], order="document")))
    units = [edit(i, u) for i, u in enumerate(rf.units)]
    files = [replace(rf, units=tuple(units))]
    return check_review_files(
        files,
        {(URL, "fr"): kwargs.pop("variant", v)},
        kwargs.pop("approved", {}),
        origin="review.xlf",
        **kwargs,
    )


def test_units_signed_off_become_approvals_and_the_rest_wait():
    check = reviewed(lambda i, u: replace(u, state="signed-off") if i == 0 else u)
    [report] = check.files
    assert (report.approved, report.unchanged, report.not_reviewed, report.rejected) == (
        1,
        0,
        2,
        [],
    )
    [approval] = check.approvals
    rec = records()[0]
    assert approval.unit_id == rec.id and approval.source_text == rec.source_text
    assert approval.target == "Lisez <g1>le rapport <g2>final</g2></g1> de <x3/> et plus."
    assert (approval.source_language, approval.target_language) == ("en", "fr")
    assert approval.origin == "review.xlf" and approval.article_url == URL


def test_an_edited_target_counts_even_when_the_cat_tool_kept_the_state():
    def edit(i, u):
        return replace(u, target=u.target.replace("Ligne un", "Première ligne")) if i == 1 else u

    assert reviewed(edit).files[0].approved == 1
    strict = reviewed(edit, accept_edited=False)
    assert strict.files[0].approved == 0 and strict.files[0].not_reviewed == 3


def test_accept_all_takes_every_target():
    assert reviewed(lambda i, u: u, accept_all=True).files[0].approved == 3


def test_lost_invented_and_misnested_tags_are_rejected_with_the_reason():
    cases = {
        0: "Lisez le rapport <g2>final</g2> de <x3/>.",  # g1 lost
        1: "Ligne un<x1/>ligne deux, voir <x2/><x9/>.",  # x9 invented
        2: "Texte <g1>ouvert",  # not in the source at all
    }
    check = reviewed(lambda i, u: replace(u, target=cases[i], state="final"))
    reasons = dict(check.files[0].rejected)
    ids = [r.id for r in records()]
    assert "tags lost by the translation: 1 (<a href" in reasons[ids[0]]
    assert "tags not in the source: 9" in reasons[ids[1]]
    assert "tags not in the source: 1" in reasons[ids[2]]
    assert check.approvals == []


def test_tags_closed_out_of_order_are_rejected():
    check = reviewed(
        lambda i, u: (
            replace(u, target="<g1>le <g2>rapport</g1></g2> <x3/>", state="final") if i == 0 else u
        )
    )
    [(_, reason)] = check.files[0].rejected
    assert reason == "tags repeated, or closed out of order"


def test_a_segment_no_longer_in_the_article_is_rejected():
    now = variant(records()[1:])  # the first paragraph was rewritten since the export
    check = reviewed(lambda i, u: replace(u, state="final"), variant=now)
    [(unit_id, reason)] = check.files[0].rejected
    assert unit_id == records()[0].id and reason.startswith("segment no longer in the article")
    assert check.files[0].approved == 2


def test_a_source_edited_in_the_file_is_rejected():
    check = reviewed(
        lambda i, u: replace(u, source="Something else", state="final") if i == 2 else u
    )
    assert "source is not the article's segment" in check.files[0].rejected[0][1]


def test_wrong_languages_and_unknown_variants_reject_the_whole_file():
    v = variant()
    [rf] = read_xliff(write_xliff(review_files([v])))
    ar_source = replace(rf, source_language="ar")
    check = check_review_files([ar_source], {(URL, "fr"): v}, {}, origin="x")
    assert check.files[0].error.startswith("wrong languages: the file says ar→fr")
    assert len(check.files[0].rejected) == 3 and check.approvals == []
    elsewhere = replace(rf, original="https://news.example.org/other.html")
    check = check_review_files([elsewhere], {(URL, "fr"): v}, {}, origin="x")
    assert "no fr variant of https://news.example.org/other.html" in check.files[0].error
    # A regional tag names the same variant.
    check = check_review_files(
        [replace(rf, target_language="fr-FR", source_language="en-GB")],
        {(URL, "fr"): v},
        {},
        origin="x",
        accept_all=True,
    )
    assert check.files[0].approved == 3


def test_an_approval_already_stored_is_unchanged():
    rec = records()[0]
    target = "Lisez <g1>le rapport <g2>final</g2></g1> de <x3/> et plus."
    approved = {("en", "fr", segment_key(rec.source_text)): target}
    check = reviewed(lambda i, u: replace(u, state="final") if i == 0 else u, approved=approved)
    assert (check.files[0].approved, check.files[0].unchanged) == (0, 1)
    assert check.approvals == []


def test_a_unit_problem_from_reading_is_the_rejection_reason():
    check = reviewed(
        lambda i, u: (
            replace(u, problem="inline element <bpt> is not one this pipeline exports")
            if i == 0
            else u
        )
    )
    assert "inline element <bpt>" in check.files[0].rejected[0][1]
