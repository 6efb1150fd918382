"""`manage.py synthesize`: generated benchmark data that looks like the curated data, is never
served to visitors unless the server opts in, and goes away whole with `--remove`."""

import random
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from gfmd.curation.export import write_backup
from gfmd.curation.synthetic import People, split_name
from gfmd.lib.search import VOCABULARY_CACHE_KEY, vocabulary
from gfmd.models import Citation
from practices.models import Practice, Theme
from roundtables.models import Participation, Recommendation, Session

pytestmark = pytest.mark.django_db
# Each of these generates a few hundred records first: one to three seconds.
slow = pytest.mark.slow

PRACTICES = 300
RECOMMENDATIONS = 60
PARTICIPATIONS = 80


def snapshot() -> dict[str, int]:
    """Rows of every table, through tables and history included."""
    with connection.cursor() as cursor:
        counts = {}
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def synthetic(db):
    call_command(
        "synthesize",
        practices=PRACTICES,
        recommendations=RECOMMENDATIONS,
        participations=PARTICIPATIONS,
        seed=7,
        verbosity=0,
    )
    return Practice.objects.filter(synthetic=True)


@pytest.fixture
def curated_counts(db):
    return {
        "practices": Practice.objects.filter(status="published").count(),
        "recommendations": Recommendation.objects.count(),
        "participations": Participation.objects.count(),
    }


@slow
def test_adds_the_requested_number_of_synthetic_records(synthetic):
    assert synthetic.count() == PRACTICES
    assert Recommendation.objects.filter(synthetic=True).count() == RECOMMENDATIONS
    assert Participation.objects.filter(synthetic=True).count() == PARTICIPATIONS


@slow
def test_participations_look_like_the_curated_ones(synthetic):
    made = Participation.objects.filter(synthetic=True)
    curated = Participation.objects.filter(synthetic=False, session__isnull=False)
    assert not made.filter(session__isnull=True).exists()  # on curated sessions only
    assert made.values("session").distinct().count() >= 5
    for name in ("role", "country", "organisation", "position"):
        values = set(made.values_list(name, flat=True))
        assert values <= set(curated.values_list(name, flat=True)), name
        assert len(values) > 2, name
    # Names recombined from the curated ones, never a real person's own.
    real = set(Participation.objects.filter(synthetic=False).values_list("name", flat=True))
    surnames = {split_name(name)[1] for name in real}
    for name in made.values_list("name", flat=True):
        assert name not in real
        assert any(name.endswith(" " + surname) for surname in surnames), name
    # Listed after the session's curated people.
    for person in made:
        last = curated.filter(session=person.session_id).order_by("-order").first()
        assert last is None or person.order > last.order


def test_names_stay_unique_when_a_session_and_role_run_short_of_combinations():
    people = People(
        leads=["Ms Ann"],
        surnames=["Phoya", "Yan"],
        profiles=[],
        real_names={"Ms Ann Yan"},
        taken={(1, "speaker"): {"Ms Ann Phoya"}},
        last_order={},
    )
    rng = random.Random(1)
    names = [people.name(rng, 1, "speaker") for _ in range(30)]
    assert len(set(names)) == 30
    assert "Ms Ann Phoya" not in names and "Ms Ann Yan" not in names  # taken; a real person
    assert all(n.startswith("Ms Ann ") and n.endswith(("Phoya", "Yan")) for n in names)
    assert people.name(rng, 2, "speaker") == "Ms Ann Phoya"  # another session has room


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Ms Renée Jones-Bos", ("Ms Renée", "Jones-Bos")),
        ("H.E. Mr M.S. Puri", ("H.E. Mr M.S.", "Puri")),
        ("Mr Robert K. Visser", ("Mr Robert K.", "Visser")),
        ("Mr Pedro de Lima", ("Mr Pedro", "de Lima")),
        ("Dr. Jean Yan", ("Dr. Jean", "Yan")),
    ],
)
def test_names_split_into_honorific_and_given_name_and_surname(name, parts):
    assert split_name(name) == parts


@slow
def test_every_practice_has_themes_spread_over_many_with_a_long_tail(synthetic):
    per_theme = Counter(synthetic.values_list("themes__slug", flat=True))
    assert None not in per_theme  # every practice has a theme
    counts = sorted(per_theme.values(), reverse=True)
    assert len(counts) >= 8
    assert counts[0] < 0.5 * PRACTICES
    # A head and a tail, not uniform: at 300 practices the most used theme has 2.3 to 4 times the
    # median theme's practices, depending on the seed and on the curated data it samples.
    assert counts[0] > 2 * counts[len(counts) // 2]


@slow
def test_countries_and_sessions_are_long_tailed(synthetic):
    countries = Counter(c for c in synthetic.values_list("countries__iso3", flat=True) if c)
    assert len(countries) >= 20
    ranked = [n for _, n in countries.most_common()]
    assert ranked[0] >= 4 * ranked[len(ranked) // 2]
    sessions = Counter(s for s in synthetic.values_list("sessions__code", flat=True) if s)
    assert len(sessions) >= 5


@slow
def test_texts_are_as_long_as_the_curated_ones(synthetic):
    def mean_length(records, name):
        values = [len(v) for v in records.values_list(name, flat=True)]
        return sum(values) / len(values)

    curated = Practice.objects.filter(synthetic=False)
    for name in ("title", "summary", "description"):
        assert 0.5 < mean_length(synthetic, name) / mean_length(curated, name) < 2


@slow
def test_a_typical_search_matches_a_small_share(synthetic):
    # The curated practices: 14% mention remittances, 6% the diaspora, 4% nurses, 2% brain drain.
    for words in ("remittances", "diaspora", "health workers"):
        assert synthetic.search(words).count() < 0.3 * PRACTICES, words
    for words in ("nurses", "brain drain", "seasonal workers", "circular migration"):
        assert synthetic.search(words).count() < 0.1 * PRACTICES, words


@slow
def test_slugs_and_recommendation_numbers_are_unique_and_marked(synthetic):
    slugs = list(synthetic.values_list("slug", flat=True))
    assert all(slug.startswith("synthetic-") for slug in slugs)
    assert len(set(slugs)) == len(slugs)
    numbers = list(
        Recommendation.objects.filter(synthetic=True).values_list("session_id", "number")
    )
    assert all(number.startswith("S") for _, number in numbers)
    assert len(set(numbers)) == len(numbers)


@slow
def test_citations_go_only_to_synthetic_records(synthetic):
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(Practice)
    cited = Citation.objects.filter(content_type=content_type, object_id__in=synthetic.values("pk"))
    assert cited.count() >= PRACTICES  # the curated practices average more than two each


@slow
def test_a_second_run_adds_new_records(synthetic):
    call_command("synthesize", practices=20, recommendations=5, seed=7, verbosity=0)
    assert synthetic.count() == PRACTICES + 20
    titles = list(synthetic.values_list("title", flat=True))
    assert len(set(titles)) > 0.95 * len(titles)


@slow
def test_synthetic_records_are_hidden_from_anonymous_pages_and_api(
    client, curated_counts, synthetic
):
    practice = synthetic.filter(status="published").first()
    recommendation = Recommendation.objects.filter(synthetic=True).first()

    page = client.get("/practices/")
    assert page.context["paginator"].count == curated_counts["practices"]
    api = client.get("/api/v1/practices/").json()
    assert api["count"] == curated_counts["practices"]
    assert client.get(practice.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/practices/{practice.slug}/").status_code == 404
    assert client.get(recommendation.get_absolute_url()).status_code == 404
    recommendations = client.get("/api/v1/recommendations/").json()
    assert recommendations["count"] == curated_counts["recommendations"]
    participations = client.get("/api/v1/participations/").json()
    assert participations["count"] == curated_counts["participations"]
    person = Participation.objects.filter(synthetic=True).select_related("session").first()
    assert person.name not in client.get(person.session.get_absolute_url()).content.decode()

    home = client.get("/")
    assert home.context["counts"]["practices"] == curated_counts["practices"]
    assert home.context["counts"]["recommendations"] == curated_counts["recommendations"]
    theme_page = client.get("/themes/").context
    themes, below = [], list(theme_page["roots"])
    while below:
        themes.append(below.pop())
        below += themes[-1].child_list
    assert len(themes) == Theme.objects.count()
    for theme in themes:
        # a theme counts its sub-themes' records, as its filter selects them
        below = Theme.objects.with_descendants([theme])
        curated = Practice.objects.filter(synthetic=False, status="published", themes__in=below)
        assert theme.practice_count == curated.distinct().count(), theme.slug
        recommendations = Recommendation.objects.filter(synthetic=False, themes__in=below)
        assert theme.recommendation_count == recommendations.distinct().count(), theme.slug
    facets = client.get("/api/v1/practices/facets/").json()
    themes = next(f for f in facets if f["name"] == "theme")
    assert max(v["count"] for v in themes["values"]) <= curated_counts["practices"]

    word = practice.title.split()[0]
    found = client.get("/api/v1/search/", {"q": word}).json()
    urls = [hit["web_url"] for group in found["groups"] for hit in group["hits"]]
    assert not any("synthetic-" in url for url in urls)
    assert "synthetic-" not in client.get("/search/", {"q": word}).content.decode()


@slow
def test_a_benchmark_server_serves_them(client, settings, synthetic):
    settings.GFMD_SERVE_SYNTHETIC = True
    practice = synthetic.filter(status="published").first()
    assert client.get(practice.get_absolute_url()).status_code == 200
    assert client.get("/api/v1/practices/").json()["count"] > PRACTICES


@slow
def test_kb_report_counts_only_real_records(synthetic):
    out = StringIO()
    call_command("kb_report", stdout=out)
    counts = {}
    for line in out.getvalue().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    assert counts["practices.practice"] == Practice.objects.filter(synthetic=False).count()
    assert counts["roundtables.recommendation"] == Recommendation.objects.count() - RECOMMENDATIONS
    assert counts["gfmd.citation"] < Citation.objects.count()


@slow
def test_remove_deletes_every_synthetic_record_and_nothing_curated(db):
    before = snapshot()
    call_command("synthesize", practices=120, recommendations=30, seed=3, verbosity=0)
    assert snapshot() != before
    assert Participation.objects.filter(synthetic=True).count() == 120 // 5  # the default
    call_command("synthesize", remove=True, verbosity=0)
    assert snapshot() == before
    assert not Practice.objects.filter(synthetic=True).exists()
    assert not Recommendation.objects.filter(synthetic=True).exists()
    assert not Participation.objects.filter(synthetic=True).exists()


@pytest.fixture
def synthetic_people(db):
    """A synthetic participation at a curated session and one at a curated roundtable, with the
    country and organisation of a curated person, as `synthesize` makes them (but fast)."""
    curated = Participation.objects.filter(
        session__isnull=False, country__isnull=False, organisation__isnull=False
    ).first()
    session = curated.session
    common = {"country": curated.country, "organisation": curated.organisation}
    return {
        "session": Participation.objects.create(
            session=session, role="speaker", name="Ms Testa Syntheticova", synthetic=True, **common
        ),
        "roundtable": Participation.objects.create(
            roundtable=session.roundtable,
            role="discussant",
            name="Mr Testo Syntheticov",
            synthetic=True,
            **common,
        ),
    }


def page_text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_synthetic_participations_are_hidden_from_session_and_roundtable_pages(
    client, synthetic_people
):
    at_session, at_roundtable = synthetic_people["session"], synthetic_people["roundtable"]
    assert at_session.name not in page_text(client, at_session.session.get_absolute_url())
    roundtable = at_roundtable.roundtable
    assert at_roundtable.name not in page_text(client, roundtable.get_absolute_url())


@pytest.mark.parametrize("page", ["country", "organisation"])
def test_synthetic_participations_are_hidden_from_country_and_organisation_pages(
    client, synthetic_people, page
):
    person = synthetic_people["session"]
    assert person.name not in page_text(client, getattr(person, page).get_absolute_url())


def test_synthetic_participations_are_hidden_from_the_api(client, synthetic_people):
    at_session, at_roundtable = synthetic_people["session"], synthetic_people["roundtable"]
    names = {at_session.name, at_roundtable.name}
    listed = client.get("/api/v1/participations/", {"page_size": 100}).json()
    assert listed["count"] == Participation.objects.filter(synthetic=False).count()
    assert not names & {p["name"] for p in listed["results"]}
    csv = client.get("/api/v1/participations/", {"format": "csv"}).content.decode()
    assert not any(name in csv for name in names)
    assert client.get(f"/api/v1/participations/{at_session.pk}/").status_code == 404
    assert client.get(f"/api/v1/participations/{at_session.key}/").status_code == 404
    session = client.get(f"/api/v1/sessions/{at_session.session.slug}/").json()
    assert at_session.name not in {p["name"] for p in session["participations"]}
    roundtable = client.get(f"/api/v1/roundtables/{at_roundtable.roundtable.slug}/").json()
    assert at_roundtable.name not in {p["name"] for p in roundtable["participations"]}


def test_synthetic_participations_are_left_out_of_backups(synthetic_people):
    backup = StringIO()
    write_backup(backup)
    assert "Syntheticov" not in backup.getvalue()
    assert "  participations:\n" in backup.getvalue()  # the curated ones are there


def test_a_benchmark_server_shows_synthetic_participations(client, settings, synthetic_people):
    settings.GFMD_SERVE_SYNTHETIC = True
    person = synthetic_people["session"]
    assert person.name in page_text(client, person.session.get_absolute_url())
    listed = client.get("/api/v1/participations/", {"session": person.session.code}).json()
    assert person.name in {p["name"] for p in listed["results"]}


@pytest.fixture
def fresh_vocabulary():
    cache.delete(VOCABULARY_CACHE_KEY)
    yield
    cache.delete(VOCABULARY_CACHE_KEY)  # this test's words are no other test's vocabulary


def test_the_did_you_mean_vocabulary_leaves_out_synthetic_words(fresh_vocabulary):
    practice = {"summary": "Made up.", "scope": "national", "type": "policy"}
    Practice.objects.create(slug="vocab-real", title="Vellimurnic scheme", **practice)
    Practice.objects.create(
        slug="synthetic-vocab", title="Quixotrumbulous scheme", synthetic=True, **practice
    )
    Recommendation.objects.create(
        session=Session.objects.first(),
        number="S999",
        slug="synthetic-vocab-recommendation",
        title="Blorptastic remittances",
        text="Made up.",
        synthetic=True,
    )
    words = vocabulary()
    assert "vellimurnic" in words  # read afresh, with this test's records
    assert "quixotrumbulous" not in words
    assert "blorptastic" not in words


def test_practice_search_uses_the_gin_index():
    # With sequential scans priced out, only a usable index keeps the plan off the table scan:
    # a search expression the index does not match would still show "Seq Scan".
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = Practice.objects.search("remittances").explain()
    assert "practice_search_idx" in plan
    assert "Seq Scan on practices_practice" not in plan


def test_batches_made_ahead_come_in_order_and_a_failure_to_make_one_is_raised():
    from gfmd.curation.synthetic.generate import made_ahead

    assert list(made_ahead(iter(range(50)), ahead=3)) == list(range(50))

    def failing():
        yield 1
        raise ValueError("no more text")

    made = made_ahead(failing())
    assert next(made) == 1
    with pytest.raises(ValueError, match="no more text"):
        next(made)


def test_a_failed_write_stops_the_thread_making_batches():
    import threading

    from gfmd.curation.synthetic.generate import made_ahead

    made = []

    def endless():
        for n in range(10**9):
            made.append(n)
            yield n

    with pytest.raises(RuntimeError):
        for n in made_ahead(endless(), ahead=2):
            if n == 5:
                raise RuntimeError("COPY failed")
    assert not any(t.name == "synthesize-batches" for t in threading.enumerate())
    assert len(made) < 10  # it stopped a few batches ahead at most
