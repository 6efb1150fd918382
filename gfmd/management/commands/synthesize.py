"""Generate synthetic practices, recommendations and participations on top of the curated data,
for benchmarks.

    manage.py synthesize --practices 100000 [--recommendations 30000] [--participations 20000]
                         [--seed 1]
    manage.py synthesize --remove

Every generated record carries `synthetic=True`; the site never serves it unless the server runs
with GFMD_SERVE_SYNTHETIC=1 (the querysets' `published()`), and backups, `kb_report` and the
search vocabulary leave it out. Citations are attached only to synthetic practices and
recommendations, and links only go from synthetic records to curated ones, so `--remove` deletes
exactly what was generated. Synthetic recommendations and participations hang off curated
sessions; reloading a session's curated file keeps them (the loader removes only curated children
its file no longer lists).

How the data is made to look like the real thing:

* Each record is modelled on one curated record (a practice, session or recommendation), chosen
  with a long-tailed (Zipf) popularity: a few curated records inspire many synthetic ones, most
  inspire few. Its themes, sessions and citations follow that model record, with some noise.
* Text is phrases of three to nine words cut from the model record's own text, mixed with words
  drawn from the whole curated vocabulary with Zipf-Mandelbrot weights by frequency rank. Words
  therefore cluster by topic the way real records do, and a typical search matches a few percent
  of the records rather than most of them.
* Lengths of each field, numbers of countries, organisations, RCPs and citations, scope, type,
  start year and follow-up status are resampled from the curated records themselves; countries,
  organisations, sessions and RCPs are chosen with Zipf weights over their curated popularity.
* A participation is a curated session participation's role, position, affiliation, country and
  organisation (so each follows its curated distribution, and they still agree with one another),
  at a session chosen like a recommendation's, under a name recombined from the curated ones: the
  honorific and given name of one person with the surname of another ("Ms Renée" + "Ratha").
  Names are unique per session and role (the natural key) and never a curated person's full name,
  so no real person is credited with what they did not do; middle initials are added when a
  session and role run short of combinations. Synthetic participations have no citations.

Rows are written with `bulk_create` in batches (no per-row history: generated data needs none)
and many-to-many links straight into the through tables.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
import string
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.text import slugify
from tqdm import tqdm

from gfmd.models import Citation, Country, Organisation
from practices.models import Practice, Theme
from rcps.models import RCP
from roundtables.models import Actor, Participation, Recommendation, Session

WORD = re.compile(r"\w[\w'’-]*\w|\w")
# Words a printed name starts with before the given name ("H.E. Mr", "Dr.", "Professor"), compared
# lower case without the final dot; and middle initials ("K.", "M.S."), kept with the given name.
HONORIFICS = {"mr", "mrs", "ms", "dr", "prof", "professor", "h.e"}
INITIALS = re.compile(r"^(?:[A-Z]\.)+$")
SLUG_NUMBER = re.compile(r"^synthetic-(\d+)-")

# Zipf exponents: which curated record a synthetic one is modelled on; words by frequency rank
# (with Mandelbrot's offset, so the commonest words are not overwhelmingly common); countries,
# organisations, sessions, RCPs and actors by curated popularity.
SOURCE_EXPONENT = 0.6
WORD_EXPONENT = 1.1
WORD_OFFSET = 10.0
ENTITY_EXPONENT = 1.0
# Share of a text cut as phrases from its model record; the rest is drawn from the vocabulary.
# With these values a broad topic ("remittances") matches 10-20% of the synthetic practices and
# a specific one ("nurses", "brain drain") 0.5-5%, as in the curated data.
PHRASE_SHARE = 0.8
UNPUBLISHED_SHARE = 0.01


def zipf_cumulative(n: int, exponent: float, offset: float = 0.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + offset) ** exponent for rank in range(1, n + 1)))


class Zipf:
    """Draws items ranked best-first with Zipf(-Mandelbrot) weights."""

    def __init__(self, items, exponent: float, offset: float = 0.0):
        self.items = list(items)
        self.cumulative = zipf_cumulative(len(self.items), exponent, offset)
        self.total = self.cumulative[-1] if self.items else 0.0

    def one(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]

    def many(self, rng: random.Random, k: int) -> list:
        return rng.choices(self.items, cum_weights=self.cumulative, k=k)

    def distinct(self, rng: random.Random, k: int) -> list:
        k = min(k, len(self.items))
        chosen: list = []
        for _ in range(k * 20):
            if len(chosen) == k:
                break
            item = self.one(rng)
            if item not in chosen:
                chosen.append(item)
        return chosen


def ranked(popularity: Counter, ids: list[int], rng: random.Random) -> list[int]:
    """Ids ordered by curated popularity, the never-used ones after them in a random order."""
    used = [pk for pk, _ in popularity.most_common()]
    rest = [pk for pk in ids if pk not in popularity]
    rng.shuffle(rest)
    return used + rest


def words_of(*texts: str) -> list[str]:
    return [word for text in texts if text for word in WORD.findall(text)]


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
            raise CommandError(
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


class Writer:
    """Makes text and picks relations for one synthetic record at a time."""

    def __init__(self, corpus: Corpus, rng: random.Random):
        self.corpus = corpus
        self.rng = rng

    def words(self, model: Model, n: int, pool: list[str] | None = None) -> list[str]:
        pool = pool or model.words
        rng = self.rng
        out: list[str] = []
        while len(out) < n:
            if pool and rng.random() < PHRASE_SHARE:
                start = rng.randrange(len(pool))
                out.extend(pool[start : start + rng.randint(3, 9)])
            else:
                out.extend(self.corpus.vocabulary.many(rng, rng.randint(1, 3)))
        return out[:n]

    def prose(self, model: Model, n: int) -> str:
        if n <= 0:
            return ""
        words = self.words(model, n)
        sentences = []
        while words:
            length = self.rng.randint(10, 28)
            sentence, words = words[:length], words[length:]
            for i in range(1, len(sentence) - 1):
                if self.rng.random() < 0.06:
                    sentence[i] += ","
            text = " ".join(sentence).rstrip(",")
            sentences.append(text[:1].upper() + text[1:] + ".")
        return " ".join(sentences)

    def title(self, model: Model, n: int, limit: int) -> str:
        n = max(2, n)
        lead = self.rng.randint(1, max(1, min(5, n - 1)))
        pool = model.title_words or model.words
        start = self.rng.randrange(len(pool))
        words = pool[start : start + lead] + self.words(model, n - lead)[: n - lead]
        text = " ".join(words)
        return (text[:1].upper() + text[1:])[:limit]

    def jitter(self, n: int) -> int:
        return max(0, round(n * self.rng.uniform(0.6, 1.4)))


@dataclass
class Batch:
    records: list = field(default_factory=list)
    links: dict[str, list[tuple[int, list[int]]]] = field(default_factory=dict)
    citations: list[list[tuple]] = field(default_factory=list)

    def link(self, name: str, index: int, ids: list[int]) -> None:
        if ids:
            self.links.setdefault(name, []).append((index, sorted(set(ids))))


def next_number(model) -> int:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(MAX(substring(slug from '^synthetic-([0-9]+)-')::bigint), 0) "
            f"FROM {table} WHERE synthetic"
        )
        return cursor.fetchone()[0] + 1


def slug_for(number: int, title: str, limit: int) -> str:
    return f"synthetic-{number}-{slugify(title)}"[:limit].rstrip("-")


def practice_batch(writer: Writer, numbers: range) -> Batch:
    corpus, rng = writer.corpus, writer.rng
    batch = Batch()
    for index, number in enumerate(numbers):
        model = corpus.models.one(rng)
        shape = rng.choice(corpus.practice_shapes)
        lengths = rng.choice(corpus.practice_lengths)
        title = writer.title(model, writer.jitter(lengths[0]), 255)
        scope = model.scope if model.scope and rng.random() < 0.5 else shape["scope"]
        kind = model.type if model.type and rng.random() < 0.5 else shape["type"]
        year = shape["start_year"]
        if year:
            year = min(2030, max(1900, year + rng.randint(-4, 4)))
        batch.records.append(
            Practice(
                slug=slug_for(number, title, 150),
                title=title,
                summary=writer.prose(model, max(8, writer.jitter(lengths[1]))),
                description=writer.prose(model, writer.jitter(lengths[2])),
                results=writer.prose(model, writer.jitter(lengths[3])),
                scope=scope,
                type=kind,
                start_year=year,
                published=rng.random() >= UNPUBLISHED_SHARE,
                synthetic=True,
            )
        )
        themes = [t for t in model.themes if rng.random() < 0.85]
        if not themes or rng.random() < 0.25:
            themes += corpus.themes.distinct(rng, rng.choice((1, 1, 1, 2)))
        batch.link("themes", index, themes)
        countries = [c for c in model.countries if rng.random() < 0.5]
        extra = shape["countries"] - len(countries)
        batch.link("countries", index, countries + corpus.countries.distinct(rng, extra))
        batch.link(
            "partner_countries", index, corpus.countries.distinct(rng, shape["partner_countries"])
        )
        batch.link(
            "organisations", index, corpus.organisations.distinct(rng, shape["organisations"])
        )
        sessions = [s for s in model.sessions if rng.random() < 0.7]
        if not sessions and rng.random() < 0.4:
            sessions = corpus.sessions.distinct(rng, 1)
        batch.link("sessions", index, sessions)
        batch.link("rcps", index, corpus.rcps.distinct(rng, shape["rcps"]))
        batch.citations.append(pick_citations(rng, model, shape["citations"], corpus))
    return batch


def recommendation_batch(writer: Writer, numbers: range, session_numbers: dict[int, int]) -> Batch:
    corpus, rng = writer.corpus, writer.rng
    batch = Batch()
    for index, number in enumerate(numbers):
        session = corpus.sessions.one(rng)
        model = rng.choice(corpus.session_models.get(session) or [corpus.models.one(rng)])
        shape = rng.choice(corpus.recommendation_shapes)
        lengths = rng.choice(corpus.recommendation_lengths)
        title = writer.title(model, writer.jitter(lengths[0]), 255)
        serial = session_numbers[session] = session_numbers.get(session, 0) + 1
        batch.records.append(
            Recommendation(
                session_id=session,
                number=f"S{serial}",
                position=min(serial, 32767),
                slug=slug_for(number, title, 120),
                title=title,
                text=writer.prose(model, max(8, writer.jitter(lengths[1]))),
                status=shape["status"],
                synthetic=True,
            )
        )
        themes = [t for t in model.themes or corpus.session_themes[session] if rng.random() < 0.8]
        batch.link("themes", index, themes)
        batch.link("actors", index, corpus.actors.distinct(rng, shape["actors"]))
        batch.citations.append(pick_citations(rng, model, shape["citations"], corpus))
    return batch


def split_name(name: str) -> tuple[str, str]:
    """('Ms Renée', 'Jones-Bos') from 'Ms Renée Jones-Bos': what comes before the surname (the
    honorifics, the given name and any middle initials), and the surname."""
    tokens = name.split()
    i = 0
    while i < len(tokens) - 1 and tokens[i].lower().rstrip(".") in HONORIFICS:
        i += 1
    i += 1  # the given name
    while i < len(tokens) - 1 and INITIALS.match(tokens[i]):
        i += 1
    if i >= len(tokens):
        return "", name
    return " ".join(tokens[:i]), " ".join(tokens[i:])


@dataclass
class People:
    """What synthetic participations are made of, read from the curated participations, and the
    names already used in each session and role."""

    leads: list[str]
    surnames: list[str]
    # (role, position, affiliation, country id, organisation id) of each curated session
    # participation
    profiles: list[tuple]
    real_names: set[str]
    taken: dict[tuple[int, str], set[str]]
    last_order: dict[int, int]

    @classmethod
    def from_database(cls) -> People:
        curated = Participation.objects.filter(synthetic=False)
        names = list(curated.values_list("name", flat=True))
        parts = [split_name(name) for name in names]
        profiles = list(
            curated.filter(session__isnull=False).values_list(
                "role", "position", "affiliation", "country_id", "organisation_id"
            )
        )
        if not profiles:
            raise CommandError(
                "There are no curated session participations to model synthetic ones on: run "
                "'manage.py load_curated' first, or give --participations 0."
            )
        taken: dict[tuple[int, str], set[str]] = {}
        last_order: dict[int, int] = {}
        for session, role, name, order in Participation.objects.filter(
            session__isnull=False
        ).values_list("session_id", "role", "name", "order"):
            taken.setdefault((session, role), set()).add(name)
            last_order[session] = max(last_order.get(session, 0), order)
        return cls(
            leads=[lead for lead, _ in parts if lead],
            surnames=[surname for _, surname in parts],
            profiles=profiles,
            real_names=set(names),
            taken=taken,
            last_order=last_order,
        )

    def name(self, rng: random.Random, session: int, role: str) -> str:
        """A new name for this session and role: a curated lead and surname recombined, with
        ever more middle initials once the plain combinations keep colliding."""
        taken = self.taken.setdefault((session, role), set())
        for attempt in itertools.count():
            words = [rng.choice(self.leads)] if self.leads else []
            words += [f"{rng.choice(string.ascii_uppercase)}." for _ in range(attempt // 8)]
            words.append(rng.choice(self.surnames))
            name = " ".join(words)[:200]
            if name not in taken and name not in self.real_names:
                taken.add(name)
                return name
        raise AssertionError("unreachable")


def participation_batch(people: People, sessions: Zipf, rng: random.Random, count: int) -> Batch:
    batch = Batch()
    for _ in range(count):
        session = sessions.one(rng)
        role, position, affiliation, country, organisation = rng.choice(people.profiles)
        order = people.last_order[session] = people.last_order.get(session, 0) + 1
        batch.records.append(
            Participation(
                session_id=session,
                role=role,
                name=people.name(rng, session, role),
                position=position,
                affiliation=affiliation,
                country_id=country,
                organisation_id=organisation,
                order=min(order, 32767),
                synthetic=True,
            )
        )
        batch.citations.append([])
    return batch


def pick_citations(rng: random.Random, model: Model, n: int, corpus: Corpus) -> list[tuple]:
    """Real citations of the model record: the generated record cites what its model cites."""
    pool = model.citations or corpus.models.one(rng).citations
    if not pool or n <= 0:
        return []
    return [rng.choice(pool) for _ in range(n)]


def write_batch(model, batch: Batch, content_type: ContentType, size: int) -> None:
    with transaction.atomic():
        model.objects.bulk_create(batch.records, batch_size=size)
        for name, rows in batch.links.items():
            m2m = model._meta.get_field(name)
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name() + "_id", m2m.m2m_reverse_field_name() + "_id"
            through.objects.bulk_create(
                [
                    through(**{source: batch.records[index].pk, target: pk})
                    for index, ids in rows
                    for pk in ids
                ],
                batch_size=size * 4,
            )
        Citation.objects.bulk_create(
            [
                Citation(
                    content_type=content_type,
                    object_id=record.pk,
                    document_id=document,
                    locator=locator,
                    line_start=start,
                    line_end=end,
                    excerpt=excerpt,
                    order=order,
                )
                for record, cited in zip(batch.records, batch.citations, strict=True)
                for order, (document, locator, start, end, excerpt) in enumerate(cited)
            ],
            batch_size=size * 4,
        )


# The models synthesize writes, each with a `synthetic` flag.
SYNTHESIZED = (Practice, Recommendation, Participation)


def synthetic_remove() -> dict[str, int]:
    """Delete every synthetic record with its links, citations and any history, in plain SQL:
    the ORM would load each record to send deletion signals and write history for it."""
    removed = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for model in SYNTHESIZED:
            table = model._meta.db_table
            ids = f"SELECT id FROM {table} WHERE synthetic"
            content_type = ContentType.objects.get_for_model(model)
            for citation_table in (Citation._meta.db_table, Citation.history.model._meta.db_table):
                cursor.execute(
                    f"DELETE FROM {citation_table} "
                    f"WHERE content_type_id = %s AND object_id IN ({ids})",
                    [content_type.pk],
                )
            for m2m in model._meta.many_to_many:
                through = m2m.remote_field.through._meta.db_table
                cursor.execute(f"DELETE FROM {through} WHERE {m2m.m2m_column_name()} IN ({ids})")
            cursor.execute(f"DELETE FROM {model.history.model._meta.db_table} WHERE synthetic")
            cursor.execute(f"DELETE FROM {table} WHERE synthetic")
            removed[model._meta.label_lower] = cursor.rowcount
    return removed


def analyze() -> None:
    """Fresh planner statistics (and, outside a transaction, a vacuumed visibility map for
    index-only scans): what follows measures the plans of a settled database, not of one whose
    tables the planner believes empty. VACUUM cannot run inside a transaction (a test)."""
    tables = [Citation._meta.db_table]
    for model in SYNTHESIZED:
        tables.append(model._meta.db_table)
        tables += [m2m.remote_field.through._meta.db_table for m2m in model._meta.many_to_many]
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {', '.join(tables)}")


def progress_bar(total: int, enabled: bool) -> tqdm:
    return tqdm(
        total=total, unit="rec", unit_scale=True, desc="synthesize", smoothing=0.1,
        disable=not enabled,
    )  # fmt: skip


def synthesize(
    *,
    practices: int,
    recommendations: int,
    seed: int,
    participations: int = 0,
    batch_size: int = 2000,
    jobs: int = 2,
    progress=True,
) -> dict[str, int]:
    """Add synthetic records. Text is made in this thread while `jobs` threads write batches,
    each on its own connection and in its own transaction: PostgreSQL computing the search
    vectors is most of the cost, and it then runs on every core. Inside a transaction (a test)
    everything is written on this connection instead, so it stays inside that transaction."""
    first_practice = next_number(Practice)
    first_recommendation = next_number(Recommendation)
    # Seeded by what is already there too, so a second run adds new records, not copies.
    rng = random.Random(f"{seed}:{first_practice}:{first_recommendation}")
    corpus = Corpus.from_database(rng)
    writer = Writer(corpus, rng)
    session_numbers: dict[int, int] = {}
    for session, number in Recommendation.objects.filter(
        synthetic=True, number__startswith="S"
    ).values_list("session_id", "number"):
        if number[1:].isdigit():
            session_numbers[session] = max(session_numbers.get(session, 0), int(number[1:]))
    content_types = ContentType.objects.get_for_models(*SYNTHESIZED)
    if participations:
        people = People.from_database()
        # Its own generator, so adding participations leaves the practices and recommendations
        # of a seed as they were; seeded by what is there too, like the other.
        existing = Participation.objects.filter(synthetic=True).count()
        people_rng = random.Random(f"{seed}:participations:{existing}")

    def batches():
        last = first_practice + practices
        for start in range(first_practice, last, batch_size):
            numbers = range(start, min(start + batch_size, last))
            yield Practice, practice_batch(writer, numbers)
        last = first_recommendation + recommendations
        for start in range(first_recommendation, last, batch_size):
            numbers = range(start, min(start + batch_size, last))
            yield Recommendation, recommendation_batch(writer, numbers, session_numbers)
        for start in range(0, participations, batch_size):
            count = min(batch_size, participations - start)
            yield Participation, participation_batch(people, corpus.sessions, people_rng, count)

    def write(model, batch: Batch) -> int:
        try:
            write_batch(model, batch, content_types[model], batch_size)
        finally:
            if threaded:
                connection.close()  # this thread's own connection
        return len(batch.records)

    threaded = jobs > 1 and not connection.in_atomic_block
    bar = progress_bar(practices + recommendations + participations, progress)
    try:
        if not threaded:
            for model, batch in batches():
                bar.update(write(model, batch))
        else:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                pending: list[Future] = []
                for model, batch in batches():
                    pending.append(pool.submit(write, model, batch))
                    while len(pending) > jobs:
                        bar.update(pending.pop(0).result())
                for future in pending:
                    bar.update(future.result())
    finally:
        bar.close()
    analyze()
    return {
        "practices.practice": practices,
        "roundtables.recommendation": recommendations,
        "roundtables.participation": participations,
    }


class Command(BaseCommand):
    help = (
        "Generate synthetic practices, recommendations and participations (marked "
        "synthetic=True, never served unless GFMD_SERVE_SYNTHETIC=1) for benchmarks, or remove "
        "them all with --remove."
    )

    def add_arguments(self, parser):
        parser.add_argument("--practices", type=int, default=0, metavar="N")
        parser.add_argument(
            "--recommendations",
            type=int,
            default=None,
            metavar="M",
            help="Synthetic recommendations to add to the curated sessions (default: N/3, the "
            "curated ratio).",
        )
        parser.add_argument(
            "--participations",
            type=int,
            default=None,
            metavar="P",
            help="Synthetic participations to add to the curated sessions (default: N/5).",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--jobs", type=int, default=2, help="Threads writing batches (default: 2)."
        )
        parser.add_argument(
            "--remove", action="store_true", help="Delete every synthetic record, and stop."
        )

    def handle(
        self,
        *args,
        practices,
        recommendations,
        participations,
        seed,
        batch_size,
        jobs,
        remove,
        verbosity,
        **_,
    ):
        if remove:
            removed = synthetic_remove()
            analyze()
            if verbosity:
                summary = ", ".join(f"{n} {label}" for label, n in removed.items())
                self.stdout.write(self.style.SUCCESS(f"Removed {summary}."))
            return
        if recommendations is None:
            recommendations = practices // 3
        if participations is None:
            participations = practices // 5
        if min(practices, recommendations, participations) < 0 or batch_size < 1:
            raise CommandError(
                "--practices, --recommendations, --participations and --batch-size must be "
                "positive."
            )
        if not practices and not recommendations and not participations:
            raise CommandError(
                "Nothing to do: give --practices N, --recommendations M and/or --participations P."
            )
        made = synthesize(
            practices=practices,
            recommendations=recommendations,
            participations=participations,
            seed=seed,
            batch_size=batch_size,
            jobs=jobs,
            progress=verbosity >= 1,
        )
        if verbosity:
            summary = ", ".join(f"{n} {label}" for label, n in made.items())
            self.stdout.write(self.style.SUCCESS(f"Added {summary} (synthetic)."))
