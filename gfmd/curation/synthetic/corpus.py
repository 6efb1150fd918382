"""What synthetic records are modelled on: the curated records, their words and the shapes of
their fields, read once."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from gfmd.curation.synthetic.sampling import (
    ENTITY_EXPONENT,
    SOURCE_EXPONENT,
    WORD_EXPONENT,
    WORD_OFFSET,
    Zipf,
    ranked,
    words_of,
)
from gfmd.models import Citation, Country, Organisation
from practices.models import Practice, Theme
from rcps.models import RCP
from roundtables.models import Actor, Recommendation, Session


class NoCuratedData(Exception):
    """There is nothing curated to model synthetic records on."""


@dataclass
class Model:
    """A curated record that synthetic records are modelled on."""

    kind: str
    pk: int
    title_words: list[str]
    words: list[str]
    themes: list[int] = field(default_factory=list)
    sessions: list[int] = field(default_factory=list)
    countries: list[int] = field(default_factory=list)
    citations: list[tuple] = field(default_factory=list)
    scope: str = ""
    type: str = ""


@dataclass
class Corpus:
    """Everything drawn from the curated data, read once."""

    models: Zipf
    session_models: dict[int, list[Model]]
    vocabulary: Zipf
    practice_lengths: list[tuple[int, int, int, int]]
    recommendation_lengths: list[tuple[int, int]]
    practice_shapes: list[dict]
    recommendation_shapes: list[dict]
    themes: Zipf
    countries: Zipf
    organisations: Zipf
    sessions: Zipf
    rcps: Zipf
    actors: Zipf
    session_themes: dict[int, list[int]]

    @classmethod
    def from_database(cls, rng: random.Random) -> Corpus:
        practices = list(
            Practice.objects.filter(synthetic=False).prefetch_related(
                "themes", "countries", "partner_countries", "organisations", "sessions", "rcps"
            )
        )
        sessions = list(Session.objects.prefetch_related("themes"))
        recommendations = list(
            Recommendation.objects.filter(synthetic=False).prefetch_related("themes", "actors")
        )
        if not practices or not sessions:
            raise NoCuratedData(
                "There is no curated data to model synthetic records on: run "
                "'manage.py load_curated' first."
            )
        citations: dict[tuple[int, int], list[tuple]] = {}
        for row in Citation.objects.values_list(
            "content_type_id",
            "object_id",
            "document_id",
            "locator",
            "line_start",
            "line_end",
            "excerpt",
        ):
            citations.setdefault((row[0], row[1]), []).append(row[2:])
        ct = ContentType.objects.get_for_models(Practice, Session, Recommendation)

        models: list[Model] = []
        for p in practices:
            models.append(
                Model(
                    "practice",
                    p.pk,
                    words_of(p.title),
                    words_of(p.title, p.summary, p.description, p.results),
                    themes=[t.pk for t in p.themes.all()],
                    sessions=[s.pk for s in p.sessions.all()],
                    countries=[c.pk for c in p.countries.all()],
                    citations=citations.get((ct[Practice].pk, p.pk), []),
                    scope=p.scope,
                    type=p.type,
                )
            )
        session_models: dict[int, list[Model]] = {}
        for s in sessions:
            model = Model(
                "session",
                s.pk,
                words_of(s.title),
                words_of(
                    s.title,
                    s.summary,
                    s.findings,
                    s.background,
                    s.panel_discussion,
                    s.general_discussion,
                ),
                themes=[t.pk for t in s.themes.all()],
                sessions=[s.pk],
                citations=citations.get((ct[Session].pk, s.pk), []),
            )
            models.append(model)
            session_models.setdefault(s.pk, []).append(model)
        for r in recommendations:
            model = Model(
                "recommendation",
                r.pk,
                words_of(r.title),
                words_of(r.title, r.text),
                themes=[t.pk for t in r.themes.all()],
                sessions=[r.session_id] if r.session_id else [],
                citations=citations.get((ct[Recommendation].pk, r.pk), []),
            )
            models.append(model)
            if r.session_id:
                session_models.setdefault(r.session_id, []).append(model)
        models = [m for m in models if m.words]
        rng.shuffle(models)

        # The vocabulary of every curated text, commonest first, each word in its usual case.
        texts = [m.words for m in models]
        for values in (
            Theme.objects.values_list("name", "description"),
            RCP.objects.values_list("name", "narrative"),
            Organisation.objects.values_list("name", "description"),
        ):
            texts.extend(words_of(*row) for row in values)
        counts: Counter = Counter()
        forms: dict[str, Counter] = {}
        for words in texts:
            for word in words:
                key = word.lower()
                counts[key] += 1
                forms.setdefault(key, Counter())[word] += 1
        vocabulary = [forms[key].most_common(1)[0][0] for key, _ in counts.most_common()]

        theme_use = Counter(t for p in practices for t in (x.pk for x in p.themes.all()))
        country_use = Counter(c.pk for p in practices for c in p.countries.all())
        country_use.update(c.pk for p in practices for c in p.partner_countries.all())
        organisation_use = Counter(o.pk for p in practices for o in p.organisations.all())
        session_use = Counter(s.pk for p in practices for s in p.sessions.all())
        session_use.update(r.session_id for r in recommendations if r.session_id)
        rcp_use = Counter(x.pk for p in practices for x in p.rcps.all())
        actor_use = Counter(a.pk for r in recommendations for a in r.actors.all())

        def ids(model) -> list[int]:
            return list(model.objects.order_by("pk").values_list("pk", flat=True))

        return cls(
            models=Zipf(models, SOURCE_EXPONENT),
            session_models=session_models,
            vocabulary=Zipf(vocabulary, WORD_EXPONENT, WORD_OFFSET),
            practice_lengths=[
                (
                    len(words_of(p.title)),
                    len(words_of(p.summary)),
                    len(words_of(p.description)),
                    len(words_of(p.results)),
                )
                for p in practices
            ],
            recommendation_lengths=[
                (len(words_of(r.title)), len(words_of(r.text))) for r in recommendations
            ]
            or [(8, 80)],
            practice_shapes=[
                {
                    "start_year": p.start_year,
                    "countries": p.countries.count(),
                    "partner_countries": p.partner_countries.count(),
                    "organisations": p.organisations.count(),
                    "rcps": p.rcps.count(),
                    "citations": len(citations.get((ct[Practice].pk, p.pk), [])),
                    "scope": p.scope,
                    "type": p.type,
                }
                for p in practices
            ],
            recommendation_shapes=[
                {
                    "actors": r.actors.count(),
                    "status": r.status,
                    "citations": len(citations.get((ct[Recommendation].pk, r.pk), [])),
                }
                for r in recommendations
            ]
            or [{"actors": 1, "status": "proposed", "citations": 1}],
            themes=Zipf(ranked(theme_use, ids(Theme), rng), ENTITY_EXPONENT),
            countries=Zipf(ranked(country_use, ids(Country), rng), ENTITY_EXPONENT),
            organisations=Zipf(ranked(organisation_use, ids(Organisation), rng), ENTITY_EXPONENT),
            sessions=Zipf(ranked(session_use, [s.pk for s in sessions], rng), ENTITY_EXPONENT),
            rcps=Zipf(ranked(rcp_use, ids(RCP), rng), ENTITY_EXPONENT),
            actors=Zipf(ranked(actor_use, ids(Actor), rng), ENTITY_EXPONENT),
            session_themes={s.pk: [t.pk for t in s.themes.all()] for s in sessions},
        )
