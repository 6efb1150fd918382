"""Each named constraint rejects what it should; natural keys round-trip."""

import pytest
from django.db import IntegrityError, transaction

from gfmd.models import Citation, Country, Organisation, SourceDocument
from practices.models import Practice, Theme
from rcps.models import RCP
from roundtables.models import (
    Meeting,
    Participation,
    Recommendation,
    Roundtable,
    Session,
)

pytestmark = pytest.mark.django_db


def rejects(constraint: str, create):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        create()
    assert constraint in str(error.value)


def session():
    return Session.objects.get(meeting__slug="gfmd-2007", code="1.1")


def test_session_code_unique_within_meeting():
    s = session()
    rejects(
        "session_unique_code",
        lambda: Session.objects.create(
            meeting=s.meeting, roundtable=s.roundtable, code="1.1", slug="dup", title="Dup"
        ),
    )


def test_session_code_format():
    s = session()
    rejects(
        "session_code_format",
        lambda: Session.objects.create(
            meeting=s.meeting, roundtable=s.roundtable, code="one", slug="bad", title="Bad"
        ),
    )


def test_recommendation_number_unique_within_session():
    s = session()
    Recommendation.objects.create(session=s, number="99", slug="r-99-a", title="A", text="A")
    rejects(
        "recommendation_unique_number",
        lambda: Recommendation.objects.create(
            session=s, number="99", slug="r-99-b", title="B", text="B"
        ),
    )


def test_recommendation_has_exactly_one_parent():
    rejects(
        "recommendation_one_parent",
        lambda: Recommendation.objects.create(number="1", slug="orphan", title="Orphan", text="x"),
    )


def test_recommendation_status_is_a_choice():
    rejects(
        "recommendation_status_valid",
        lambda: Recommendation.objects.create(
            session=session(), number="98", slug="r-98", title="x", text="x", status="lost"
        ),
    )


def test_participation_has_exactly_one_parent():
    s = session()
    rejects(
        "participation_one_parent",
        lambda: Participation.objects.create(
            session=s, roundtable=s.roundtable, name="X", role="chair"
        ),
    )


def test_participation_role_is_a_choice():
    rejects(
        "participation_role_valid",
        lambda: Participation.objects.create(session=session(), name="X", role="king"),
    )


def test_participation_unique_in_session():
    Participation.objects.create(session=session(), name="Same Person", role="speaker")
    rejects(
        "participation_unique_in_session",
        lambda: Participation.objects.create(session=session(), name="Same Person", role="speaker"),
    )


def test_roundtable_number_unique_within_meeting():
    meeting = Meeting.objects.get(slug="gfmd-2007")
    rejects(
        "roundtable_unique_number",
        lambda: Roundtable.objects.create(meeting=meeting, number=1, slug="rt-dup", title="Dup"),
    )


def test_meeting_dates_ordered_and_kind_valid():
    from datetime import date

    rejects(
        "meeting_dates_ordered",
        lambda: Meeting.objects.create(
            slug="m",
            title="M",
            kind="gfmd",
            summary="s",
            start_date=date(2007, 7, 11),
            end_date=date(2007, 7, 9),
        ),
    )
    rejects(
        "meeting_kind_valid",
        lambda: Meeting.objects.create(slug="m2", title="M", kind="party", summary="s"),
    )


def test_practice_choices_and_year():
    base = {"title": "T", "summary": "S", "scope": "national", "type": "policy"}
    rejects(
        "practice_scope_valid",
        lambda: Practice.objects.create(slug="p1", **{**base, "scope": "galactic"}),
    )
    rejects(
        "practice_type_valid",
        lambda: Practice.objects.create(slug="p2", **{**base, "type": "rumour"}),
    )
    rejects(
        "practice_start_year_range",
        lambda: Practice.objects.create(slug="p3", start_year=1200, **base),
    )


def test_unique_slugs():
    rejects(
        "practices_practice_slug_key",
        lambda: [
            Practice.objects.create(
                slug="same", title="A", summary="S", scope="national", type="policy"
            )
            for _ in range(2)
        ],
    )


def test_rcp_vocabularies():
    rejects(
        "rcp_region_valid",
        lambda: RCP.objects.create(slug="r1", name="R", region="moon", narrative="n"),
    )
    rejects(
        "rcp_engagement_valid",
        lambda: RCP.objects.create(
            slug="r2", name="R", region="europe", md_engagement="maybe", narrative="n"
        ),
    )
    rejects(
        "rcp_questionnaire_valid",
        lambda: RCP.objects.create(
            slug="r3", name="R", region="europe", questionnaire="lost", narrative="n"
        ),
    )


def test_country_codes_and_organisation_kind():
    rejects(
        "country_iso3_format",
        lambda: Country.objects.create(iso3="xx1", iso2="XQ", name="X", slug="x"),
    )
    rejects(
        "organisation_kind_valid",
        lambda: Organisation.objects.create(slug="o", name="O", kind="cult"),
    )


def test_theme_cannot_be_its_own_parent():
    theme = Theme.objects.get(slug="gender")
    theme.parent_id = theme.pk
    rejects("theme_not_own_parent", theme.save)


def test_citation_line_range_and_excerpt():
    doc = SourceDocument.objects.get(slug="brussels-report")
    theme = Theme.objects.get(slug="gender")
    common = {"target": theme, "document": doc, "locator": "x"}
    rejects(
        "citation_line_range",
        lambda: Citation.objects.create(line_start=5, line_end=4, excerpt="e", **common),
    )
    rejects(
        "citation_excerpt_not_empty",
        lambda: Citation.objects.create(line_start=5, line_end=5, excerpt="", **common),
    )


@pytest.mark.parametrize(
    "instance",
    [
        lambda: Country.objects.get(iso3="PHL"),
        lambda: Organisation.objects.get(slug="iom"),
        lambda: SourceDocument.objects.get(slug="a-63-269"),
        lambda: Theme.objects.get(slug="gender"),
        lambda: Meeting.objects.get(slug="gfmd-2007"),
        lambda: Roundtable.objects.get(meeting__slug="gfmd-2007", number=2),
        lambda: Session.objects.get(meeting__slug="gfmd-2007", code="2.3"),
    ],
)
def test_natural_keys_round_trip(instance):
    obj = instance()
    model = type(obj)
    assert model.objects.get_by_natural_key(*obj.natural_key()) == obj


def test_natural_keys_serialise_with_django():
    from django.core import serializers

    data = serializers.serialize(
        "json",
        Session.objects.filter(code="1.1"),
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
    )
    assert '"roundtable": ["gfmd-2007", 1]' in data
    assert '"meeting": ["gfmd-2007"]' in data or '"meeting": "gfmd-2007"' in data
    restored = next(serializers.deserialize("json", data, handle_forward_references=True))
    assert restored.object.pk == Session.objects.get(code="1.1").pk
