"""Synthetic practices, recommendations and participations on top of the curated data, for
benchmarks (`manage.py synthesize`).

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

Rows are streamed with COPY in batches, all in one transaction (so the data version rises once),
under primary keys drawn from each table's sequence, with many-to-many links straight into the
through tables and no per-row history (generated data needs none). What costs most is
PostgreSQL computing each row's stored search vector; gfmd.lib.search.folded keeps that cheap by
folding accents only in text that has any.
"""

from gfmd.curation.synthetic.corpus import NoCuratedData
from gfmd.curation.synthetic.database import SYNTHESIZED, analyze, synthetic_remove
from gfmd.curation.synthetic.generate import synthesize
from gfmd.curation.synthetic.people import People, split_name

__all__ = [
    "SYNTHESIZED",
    "NoCuratedData",
    "People",
    "analyze",
    "split_name",
    "synthesize",
    "synthetic_remove",
]
