"""Small factories for behaviour tests: each builds one valid record with the fewest fields its
model and constraints require, and takes any field as a keyword argument.

Slugs, titles and codes are unique per call (a counter), so records made in one test never clash
with one another nor with the curated knowledge base, which stays loaded (tests/conftest.py). A
test that filters by a record made here, such as a theme or a country, sees only its own records.

Countries get ISO codes from the ranges ISO 3166 leaves to users ('XAA'-'XZZ'; 'XA'-'XZ' and
'QM'-'QZ'), which no real state has, so they never meet a curated country.
"""

from __future__ import annotations

import itertools
import string

from gfmd.models import Citation, Country, Organisation, SourceDocument
from practices.models import Practice, Theme
from rcps.models import RCP
from roundtables.models import (
    Actor,
    HorizontalIssue,
    Meeting,
    Participation,
    Recommendation,
    Roundtable,
    Session,
)

_counter = itertools.count(1)

# User-assigned codes (ISO 3166-1 section 5.1): no real country has them.
# 'XXX' is left out: other tests use it as a code no country has.
ISO3_CODES = [
    f"X{a}{b}" for a in string.ascii_uppercase for b in string.ascii_uppercase if a + b != "XX"
]
ISO2_CODES = [f"X{a}" for a in string.ascii_uppercase] + [f"Q{a}" for a in "MNOPQRSTUVWXYZ"]


def _n() -> int:
    return next(_counter)


def _free_code(model, field: str, codes: list[str], start: int) -> str:
    taken = set(model.objects.filter(**{f"{field}__in": codes}).values_list(field, flat=True))
    for offset in range(len(codes)):
        code = codes[(start + offset) % len(codes)]
        if code not in taken:
            return code
    raise RuntimeError(f"no free {field} left for a test country")


def make_country(**fields) -> Country:
    n = _n()
    iso3 = fields.pop("iso3", None) or _free_code(Country, "iso3", ISO3_CODES, n)
    iso2 = fields.pop("iso2", None) or _free_code(Country, "iso2", ISO2_CODES, n)
    fields.setdefault("name", f"Testland {iso3}")
    fields.setdefault("slug", f"testland-{iso3.lower()}")
    fields.setdefault("region", "africa")
    return Country.objects.create(iso3=iso3, iso2=iso2, **fields)


def make_organisation(**fields) -> Organisation:
    n = _n()
    fields.setdefault("slug", f"test-organisation-{n}")
    fields.setdefault("name", f"Test Organisation {n}")
    fields.setdefault("kind", "igo")
    return Organisation.objects.create(**fields)


def make_source(**fields) -> SourceDocument:
    n = _n()
    fields.setdefault("slug", f"test-source-{n}")
    fields.setdefault("title", f"Test source document {n}")
    fields.setdefault("seed_file", f"test-source-{n}.txt")
    fields.setdefault("description", "A document made for a test.")
    return SourceDocument.objects.create(**fields)


def make_citation(target, **fields) -> Citation:
    if "document" not in fields:
        fields["document"] = make_source()
    fields.setdefault("locator", f"Test section {_n()}")
    fields.setdefault("line_start", 10)
    fields.setdefault("line_end", fields["line_start"])
    fields.setdefault("excerpt", "words quoted for a test")
    return Citation.objects.create(target=target, **fields)


def make_theme(**fields) -> Theme:
    n = _n()
    fields.setdefault("slug", f"test-theme-{n}")
    fields.setdefault("name", f"Test theme {n}")
    fields.setdefault("kind", "topic" if fields.get("parent") else "roundtable")
    return Theme.objects.create(**fields)


def make_meeting(**fields) -> Meeting:
    n = _n()
    fields.setdefault("slug", f"test-meeting-{n}")
    fields.setdefault("title", f"Test meeting {n}")
    fields.setdefault("kind", "gfmd")
    fields.setdefault("summary", "A meeting made for a test.")
    return Meeting.objects.create(**fields)


def make_roundtable(meeting=None, **fields) -> Roundtable:
    n = _n()
    meeting = meeting or make_meeting()
    if "number" not in fields:
        fields["number"] = meeting.roundtables.count() + 1
    fields.setdefault("slug", f"test-roundtable-{n}")
    fields.setdefault("title", f"Test roundtable {n}")
    return Roundtable.objects.create(meeting=meeting, **fields)


def make_session(roundtable=None, *, themes=(), **fields) -> Session:
    """A session of `roundtable` (a new one, of a new meeting, by default), coded
    '<roundtable number>.<next>' as the model's validation requires."""
    n = _n()
    roundtable = roundtable or make_roundtable()
    if "code" not in fields:
        fields["code"] = f"{roundtable.number}.{roundtable.sessions.count() + 1}"
    fields.setdefault("slug", f"test-session-{n}")
    fields.setdefault("title", f"Test session {n}")
    session = Session.objects.create(meeting=roundtable.meeting, roundtable=roundtable, **fields)
    session.themes.set(themes)
    return session


def make_participation(session=None, **fields) -> Participation:
    n = _n()
    if session is None and "roundtable" not in fields and "meeting" not in fields:
        session = make_session()
    fields.setdefault("name", f"Test Person {n}")
    fields.setdefault("role", "speaker")
    return Participation.objects.create(session=session, **fields)


def make_horizontal_issue(meeting=None, **fields) -> HorizontalIssue:
    n = _n()
    fields.setdefault("slug", f"test-issue-{n}")
    fields.setdefault("title", f"Test horizontal issue {n}")
    fields.setdefault("summary", "An issue made for a test.")
    return HorizontalIssue.objects.create(meeting=meeting or make_meeting(), **fields)


def make_actor(**fields) -> Actor:
    n = _n()
    fields.setdefault("slug", f"test-actor-{n}")
    fields.setdefault("name", f"Test actor {n}")
    return Actor.objects.create(**fields)


def make_recommendation(session=None, *, themes=(), actors=(), **fields) -> Recommendation:
    """A recommendation of `session` (a new session by default), or of `horizontal_issue=`."""
    n = _n()
    if session is None and "horizontal_issue" not in fields:
        session = make_session()
    parent = session or fields["horizontal_issue"]
    if "number" not in fields:
        fields["number"] = str(parent.recommendations.count() + 1)
    fields.setdefault("slug", f"test-recommendation-{n}")
    fields.setdefault("title", f"Test recommendation {n}")
    fields.setdefault("text", "Governments should act, for a test.")
    recommendation = Recommendation.objects.create(session=session, **fields)
    recommendation.themes.set(themes)
    recommendation.actors.set(actors)
    return recommendation


def make_rcp(*, members=(), **fields) -> RCP:
    n = _n()
    fields.setdefault("slug", f"test-rcp-{n}")
    fields.setdefault("name", f"Test consultative process {n}")
    fields.setdefault("region", "africa")
    fields.setdefault("narrative", "A process made for a test.")
    rcp = RCP.objects.create(**fields)
    rcp.members.set(members)
    return rcp


def make_practice(
    *,
    themes=None,
    countries=(),
    partner_countries=(),
    organisations=(),
    sessions=(),
    rcps=(),
    **fields,
) -> Practice:
    """A published practice. Every practice has a theme: a new one unless `themes` are given."""
    n = _n()
    fields.setdefault("slug", f"test-practice-{n}")
    fields.setdefault("title", f"Test practice {n}")
    fields.setdefault("summary", "A practice made for a test.")
    fields.setdefault("scope", "national")
    fields.setdefault("type", "programme")
    if "published" in fields:  # the shorthand of a test: published or a draft
        fields["status"] = "published" if fields.pop("published") else "draft"
    practice = Practice.objects.create(**fields)
    practice.themes.set(themes if themes is not None else [make_theme()])
    practice.countries.set(countries)
    practice.partner_countries.set(partner_countries)
    practice.organisations.set(organisations)
    practice.sessions.set(sessions)
    practice.rcps.set(rcps)
    return practice


CURATED_APPS = ("gfmd", "practices", "roundtables", "rcps")


def curator_permissions():
    """Every model permission of the curated records (add, change, delete, view)."""
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label__in=CURATED_APPS)
