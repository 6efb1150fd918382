"""The shipped knowledge base holds together: no orphans, no gaps, no duplicates."""

import difflib
import re
from collections import Counter

import pytest
from django.core.management import call_command

from gfmd.curation.report import gaps
from gfmd.models import Organisation
from practices.models import Practice
from rcps.models import RCP, Engagement
from roundtables.models import Participation, Recommendation, Session

pytestmark = pytest.mark.django_db


def test_no_record_lacks_a_citation_or_summary():
    missing = [f"{label} {record.natural_key()}: {what}" for label, record, what in gaps()]
    assert not missing, "\n".join(missing)


def test_report_command_prints_nothing_alarming(capsys):
    call_command("kb_report")
    out = capsys.readouterr().out
    assert "Every record has a citation and a summary." in out
    assert "need attention" not in out


def test_every_session_has_a_chair():
    without = Session.objects.exclude(participations__role="chair")
    assert not without.exists(), list(without.values_list("code", flat=True))


def test_every_recommendation_has_a_theme_and_an_actor():
    assert not Recommendation.objects.filter(themes__isnull=True).exists()
    assert not Recommendation.objects.filter(actors__isnull=True).exists()


def test_participations_belong_to_a_session_roundtable_or_meeting():
    assert not Participation.objects.filter(
        session__isnull=True, roundtable__isnull=True, meeting__isnull=True
    ).exists()


def test_meeting_level_participations_name_the_part_of_the_meeting():
    assert not Participation.objects.filter(meeting__isnull=False, part="").exists()


def test_every_practice_is_complete():
    practices = Practice.objects.all()
    assert not practices.filter(themes__isnull=True).exists()
    assert not practices.filter(citations__isnull=True).exists()
    assert not practices.filter(countries__isnull=True, organisations__isnull=True).exists()
    assert not practices.filter(summary="").exists()


def test_every_rcp_has_engagement_and_a_region_or_a_note_that_none_is_stated():
    for rcp in RCP.objects.all():
        assert rcp.region or "do not state its region" in rcp.curator_note, rcp.slug
        assert rcp.md_engagement in Engagement.values
        if rcp.md_engagement != Engagement.NOT_CLASSIFIED:
            assert rcp.md_engagement_source, rcp.slug


def test_no_two_organisations_share_an_acronym_or_name():
    acronyms = Counter(o.acronym.lower() for o in Organisation.objects.exclude(acronym=""))
    assert [a for a, n in acronyms.items() if n > 1] == []
    # Ministries share names across countries ("Ministry of Foreign Affairs"): name and country.
    names = Counter(
        (re.sub(r"\W+", " ", o.name.lower()).strip(), o.country_id)
        for o in Organisation.objects.all()
    )
    assert [n for n, k in names.items() if k > 1] == []


def test_no_two_practices_are_near_duplicates():
    titles = sorted((p.title.lower(), p.slug) for p in Practice.objects.all())
    close = []
    for i, (a, slug_a) in enumerate(titles):
        for b, slug_b in titles[i + 1 :]:
            if difflib.SequenceMatcher(None, a, b).ratio() > 0.9:
                close.append((slug_a, slug_b))
    assert close == []


def test_names_keep_their_accents():
    assert RCP.objects.filter(short_name__contains="Söderköping").exists()
    assert Participation.objects.filter(name__contains="Régine De Clercq").exists()
