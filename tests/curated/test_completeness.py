"""What the documents contain, counted by reading them; these tests guard the counts."""

from collections import Counter

import pytest

from practices.models import Practice
from rcps.models import RCP
from roundtables.models import HorizontalIssue, Meeting, Recommendation, Roundtable, Session

pytestmark = pytest.mark.django_db

SESSIONS = {
    1: ["1.1", "1.2", "1.3", "1.4"],
    2: ["2.1", "2.2", "2.3", "2.4"],
    3: ["3.1", "3.2", "3.3", "3.4"],
}

# session -> participants by role, as the report lists them
PEOPLE = {
    "1.1": {"chair": 1, "co_chair": 1, "speaker": 2, "discussant": 1, "rapporteur": 1},
    "1.2": {"chair": 1, "co_chair": 1, "speaker": 1, "discussant": 1, "rapporteur": 1},
    "1.3": {"chair": 1, "speaker": 3, "discussant": 1, "rapporteur": 1},
    "1.4": {"chair": 1, "co_chair": 1, "speaker": 1, "discussant": 2, "rapporteur": 1},
    "2.1": {"chair": 1, "speaker": 1, "discussant": 2, "rapporteur": 1},
    "2.2": {"chair": 1, "speaker": 1, "discussant": 2, "rapporteur": 1},
    "2.3": {"chair": 1, "speaker": 1, "discussant": 2, "rapporteur": 1},
    "2.4": {"chair": 1, "speaker": 1, "discussant": 2, "rapporteur": 1},
    "3.1": {"chair": 1, "speaker": 1, "discussant": 3, "rapporteur": 1},
    "3.2": {"chair": 2, "speaker": 1, "discussant": 2, "rapporteur": 1},
    "3.3": {"chair": 1, "co_chair": 2},
    "3.4": {"chair": 1, "speaker": 1, "discussant": 2, "rapporteur": 1},
}

# numbered recommendations and proposed actions of each session
RECOMMENDATIONS = {
    "1.1": 2,
    "1.2": 1,
    "1.3": 4,
    "1.4": 2,
    "2.1": 5,
    "2.2": 4,
    "2.3": 4,
    "2.4": 6,
    "3.1": 2,
    "3.2": 2,
    "3.3": 0,
    "3.4": 7,
}

POLICY_DIRECTIONS = {"root-causes-of-migration": 3, "human-rights": 6, "gender": 4}


def test_three_roundtables_with_their_sessions():
    meeting = Meeting.objects.get(slug="gfmd-2007")
    for number, codes in SESSIONS.items():
        roundtable = Roundtable.objects.get(meeting=meeting, number=number)
        assert list(roundtable.sessions.order_by("order").values_list("code", flat=True)) == codes


def test_roundtable_two_keeps_its_theme_labels():
    labels = Session.objects.filter(roundtable__number=2).order_by("order")
    assert [s.label for s in labels] == ["Theme 1", "Theme 2", "Theme 3", "Theme 4"]


@pytest.mark.parametrize(("code", "roles"), PEOPLE.items())
def test_participants_of_each_session(code, roles):
    session = Session.objects.get(meeting__slug="gfmd-2007", code=code)
    assert dict(Counter(session.participations.values_list("role", flat=True))) == roles


@pytest.mark.parametrize(("code", "count"), RECOMMENDATIONS.items())
def test_recommendations_of_each_session(code, count):
    assert Recommendation.objects.filter(session__code=code).count() == count


@pytest.mark.parametrize(("slug", "count"), POLICY_DIRECTIONS.items())
def test_policy_directions_of_each_horizontal_issue(slug, count):
    issue = HorizontalIssue.objects.get(slug=slug)
    assert issue.recommendations.count() == count


def test_each_roundtable_has_coordinator_and_general_rapporteur():
    for roundtable in Roundtable.objects.all():
        roles = set(roundtable.participations.values_list("role", flat=True))
        assert {"coordinator", "general_rapporteur"} <= roles, roundtable.number


def test_the_rcps_the_documents_name():
    assert set(RCP.objects.values_list("slug", flat=True)) == {
        "igc",
        "midsa",
        "midwa",
        "colombo-process",
        "abu-dhabi-dialogue",
        "bali-process",
        "budapest-process",
        "soderkoping-process",
        "5-plus-5-dialogue",
        "mtm",
        "puebla-process",
        "lima-process",
        "apc",
        "igad-rcp",
    }
    surveyed = RCP.objects.exclude(questionnaire="unknown")
    assert surveyed.count() == 12
    assert surveyed.filter(questionnaire="returned").count() == 9
    assert set(surveyed.filter(questionnaire="materials").values_list("slug", flat=True)) == {
        "puebla-process",
        "midwa",
    }
    assert list(surveyed.filter(questionnaire="none").values_list("slug", flat=True)) == [
        "5-plus-5-dialogue"
    ]


def test_rcp_engagement_classes_of_a_63_269():
    by_class = Counter(RCP.objects.values_list("md_engagement", flat=True))
    assert by_class == {"priority": 9, "ad_hoc": 3, "not_concerned": 2}


def test_well_over_eighty_practices():
    assert Practice.objects.count() > 80


def test_meetings_the_documents_describe():
    slugs = set(Meeting.objects.values_list("slug", flat=True))
    assert {
        "gfmd-2007",
        "gfmd-2007-civil-society-day",
        "hld-2006",
        "gfmd-2007-fof-1-brussels",
        "gfmd-2007-fof-2-geneva",
        "gfmd-2007-fof-3-geneva",
        "gfmd-2008",
    } <= slugs
