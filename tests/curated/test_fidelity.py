"""Every citation's excerpt stands in its seed file, inside the cited lines."""

import pytest

from gfmd.curation.fidelity import check_excerpt, normalise
from gfmd.models import Citation

pytestmark = pytest.mark.django_db


def test_every_excerpt_is_in_the_cited_lines():
    problems = []
    citations = Citation.objects.select_related("document", "content_type")
    assert citations.count() > 900
    for c in citations:
        problem = check_excerpt(c.document.seed_file, c.line_start, c.line_end, c.excerpt)
        if problem:
            problems.append(f"{c.content_type.model} {c.object_id} {c}: {problem.message}")
    assert not problems, "\n".join(problems[:20])


def test_excerpts_are_short():
    too_long = [c.pk for c in Citation.objects.all() if len(c.excerpt.split()) > 60]
    assert not too_long


def test_the_check_rejects_what_is_not_there():
    seed = "003_b146d0fc4d04de58.txt"
    assert check_excerpt(seed, 22, 22, "This report is a detailed record") is None
    assert (
        "not within the cited lines"
        in check_excerpt(seed, 30, 31, "This report is a detailed record").message
    )
    assert "not found" in check_excerpt(seed, 22, 22, "This report is an invented record").message
    assert "outside" in check_excerpt(seed, 99999, 99999, "x").message


def test_normalise_folds_only_extraction_artefacts():
    assert normalise("tempo- rary  labour\nmigration") == "temporary labour migration"
    assert normalise("“quoted” *emphasis*") == '"quoted" emphasis'
    assert normalise("Régine") == "Régine"
