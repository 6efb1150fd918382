"""What the second reading of the documents added: names, regions left empty, people at meeting
level, report findings, follow-up, documents the sources name. Counts are the documents' own."""

from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType

from gfmd.models import Citation, Organisation, ReferencedDocument
from rcps.models import RCP
from roundtables.models import FollowUp, Participation, Recommendation, ReportFinding

pytestmark = pytest.mark.django_db


def test_every_organisation_has_a_description_and_a_citation():
    cited = set(
        Citation.objects.filter(
            content_type=ContentType.objects.get_for_model(Organisation)
        ).values_list("object_id", flat=True)
    )
    lacking = [
        o.slug for o in Organisation.objects.all() if not o.description.strip() or o.pk not in cited
    ]
    assert not lacking


@pytest.mark.parametrize(
    ("model", "query", "slug"),
    [
        (RCP, "Soderkoping Process", "soderkoping-process"),
        (RCP, "Cross-Border Cooperation Process", "soderkoping-process"),
        (RCP, "Puebla Process", "puebla-process"),
        (RCP, "Regional Conference on Migration", "puebla-process"),
        (RCP, "Ministerial Consultations on Overseas Employment", "colombo-process"),
        (RCP, "Management of Overseas Employment and Contractual Labour", "colombo-process"),
        (RCP, "Colombo Process", "colombo-process"),
        (RCP, "Dialogue on Mediterranean Transit Migration", "mtm"),
        (Organisation, "CPPS", "cpss"),
        (Organisation, "UN-DESA", "un-desa"),
        (Organisation, "UNDESA", "un-desa"),
        (Organisation, "Quebec Farmers Association", "ferme"),
        (Organisation, "Geneva Migration Group", "gmg"),
    ],
)
def test_every_name_the_documents_use_finds_the_record(model, query, slug):
    assert slug in set(model.objects.search(query).values_list("slug", flat=True))


def test_the_main_name_stays_the_documents_usual_one():
    assert RCP.objects.get(slug="soderkoping-process").short_name == "Söderköping Process"
    assert RCP.objects.get(slug="puebla-process").name == "Regional Conference on Migration"
    assert Organisation.objects.get(slug="cpss").acronym == "CPSS"


def test_regions_the_documents_do_not_give_stay_empty():
    empty = set(RCP.objects.filter(region="").values_list("slug", flat=True))
    assert empty == {"budapest-process", "igc", "bali-process"}


# part of the meeting -> roles, as the Brussels report names them (lines 317, 443-445, 479-491,
# 2183, 2193, 2588-2594)
MEETING_PEOPLE = {
    ("gfmd-2007", "Opening plenary session"): {"chair": 1, "speaker": 6},
    ("gfmd-2007", "General debate"): {"chair": 2},
    ("gfmd-2007", "Report on the Civil Society Day"): {"moderator": 1, "member": 12},
    ("gfmd-2007", "Horizontal issues"): {"coordinator": 1, "general_rapporteur": 1},
    ("gfmd-2007", "Horizontal issues drafting committee"): {"member": 2},
    ("gfmd-2007", "Closing plenary session"): {"speaker": 3},
    ("gfmd-2007-civil-society-day", "Opening plenary session"): {"chair": 1, "speaker": 2},
    ("gfmd-2007-civil-society-day", "Closing plenary session"): {
        "chair": 1,
        "moderator": 1,
        "speaker": 2,
    },
}


@pytest.mark.parametrize(("where", "roles"), MEETING_PEOPLE.items())
def test_people_at_meeting_level(where, roles):
    meeting, part = where
    people = Participation.objects.filter(meeting__slug=meeting, part=part)
    assert dict(Counter(people.values_list("role", flat=True))) == roles


def test_a_63_269_findings_by_kind():
    kinds = Counter(
        ReportFinding.objects.filter(document__slug="a-63-269").values_list("kind", flat=True)
    )
    # para. 21 with its box; paras 22-24; 64-68; 69, 70, 73, 74; 71 (a)-(c) and 72
    assert kinds == {"consultation": 1, "view": 3, "evaluation": 5, "conclusion": 4, "option": 4}


def test_the_break_out_note_asks_three_questions():
    questions = ReportFinding.objects.filter(
        document__slug="rcp-gcm4-mainstreaming", kind="question"
    )
    assert list(questions.values_list("number", flat=True)) == ["a", "b", "c"]


def test_a_recommendation_status_is_its_latest_follow_up():
    for recommendation in Recommendation.objects.prefetch_related("follow_ups"):
        entries = list(recommendation.follow_ups.all())
        expected = entries[-1].status if entries else "proposed"
        assert recommendation.status == expected, recommendation.slug


def test_follow_up_entries_cite_the_later_document():
    for entry in FollowUp.objects.prefetch_related("citations__document"):
        documents = {c.document.slug for c in entry.citations.all()}
        assert documents == {"a-63-269"}, entry
        assert str(entry.as_of) == "2008-08-11"


def test_the_documents_the_sources_name():
    by_source = dict(
        Counter(ReferencedDocument.objects.values_list("source__slug", flat=True)).items()
    )
    assert by_source == {"a-63-269": 2, "rcp-gcm4-mainstreaming": 1, "iom-5cm-2006": 1}
