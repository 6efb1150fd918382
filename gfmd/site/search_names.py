"""The names people know records by, for the search: a query that is a record's name, short name,
acronym or alternate name brings that record first, and the names of countries, regions and
organisations inside a longer query become filters.

The index of names is built in one query per kind and cached under the data version."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import translation

from gfmd.lib.data_version import cached
from gfmd.lib.search import fold
from gfmd.models import Country, Organisation, Region
from practices.models import Practice
from rcps.models import RCP

# Words that name what kind of body a record is; "Puebla" names the Puebla Process.
GENERIC_TAILS = ("process", "dialogue", "consultations", "conference")
# A practice's acronym, printed after its title: "Transfer of Knowledge ... (TOKTEN)".
ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9&-]{1,14})\)")
# websearch syntax: a quoted phrase, `or`, or a word left out.
SYNTAX = re.compile(r'"|(^|\s)-\S|\sor\s', re.IGNORECASE)


@dataclass(frozen=True)
class Named:
    kind: str
    pk: int
    label: str  # the name people know it by
    key: str = ""  # the key its list filter takes (a country's ISO alpha-3)


def normal(text: str) -> str:
    """A name or query compared loosely: accents folded, case and punctuation ignored."""
    text = fold(text).lower().replace("&", " and ")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def aliases(record) -> list[str]:
    """A record's alternate names, one a line, where its model has them."""
    try:
        record._meta.get_field("aliases")
    except Exception:  # noqa: BLE001 - FieldDoesNotExist: a model without alternate names
        return []
    return [line.strip() for line in (record.aliases or "").splitlines() if line.strip()]


def has_aliases(model) -> bool:
    return any(field.name == "aliases" for field in model._meta.get_fields())


def variants(name: str) -> set[str]:
    key = normal(name)
    if not key:
        return set()
    found = {key}
    if ", " in name:  # an ISO name in index order: "Congo, The Democratic Republic of the"
        head, tail = name.split(", ", 1)
        found |= variants(f"{tail} {head}")
    for tail in GENERIC_TAILS:
        if key.endswith(" " + tail):
            found.add(key[: -len(tail) - 1])
    if key.startswith("the "):
        found.add(key[4:])
    return found


def build_index() -> dict[str, list[tuple[str, int, str, str]]]:
    """{normalised name: [(kind, pk, label, key), ...]}."""
    index: dict[str, list[tuple[str, int, str, str]]] = {}

    def add(name: str, kind: str, pk: int, label: str, key: str = "") -> None:
        for variant in variants(name):
            entries = index.setdefault(variant, [])
            if (kind, pk, label, key) not in entries:
                entries.append((kind, pk, label, key))

    rcp_fields = ["pk", "name", "short_name", "acronym"] + (["aliases"] if has_aliases(RCP) else [])
    for rcp in RCP.objects.published().only(*rcp_fields[1:]):
        label = rcp.short_name or rcp.name
        for name in [rcp.name, rcp.short_name, rcp.acronym, *aliases(rcp)]:
            if name:
                add(name, "rcp", rcp.pk, label)
    org_fields = ["name", "acronym"] + (["aliases"] if has_aliases(Organisation) else [])
    for org in Organisation.objects.published().only(*org_fields):
        label = f"{org.name} ({org.acronym})" if org.acronym else org.name
        for name in [org.name, org.acronym, *aliases(org)]:
            if name:
                add(name, "organisation", org.pk, label)
    for country in Country.objects.only("name", "common_name", "aliases", "iso3"):
        for name in [country.name, country.common_name, *aliases(country)]:
            if name:
                add(name, "country", country.pk, str(country), country.iso3)
    for pk, title in Practice.objects.published().values_list("pk", "title"):
        add(title, "practice", pk, title)
        for acronym in ACRONYM.findall(title):
            add(acronym, "practice", pk, title)
    return index


# The tables the index is read from: an edit elsewhere leaves it in place.
NAME_TABLES = tuple(
    sorted(model._meta.db_table for model in (RCP, Organisation, Country, Practice))
)


def name_index(request) -> dict[str, list[tuple[str, int, str, str]]]:
    """Read by every search, so each process keeps the current one rather than unpickling it
    from the cache on each request."""
    return cached(request, "search:names", (), build_index, tables=NAME_TABLES, memo=True)


def named_records(request, text: str, kinds=None) -> list[Named]:
    """The records the whole query names."""
    entries = name_index(request).get(normal(text), [])
    return [Named(*entry) for entry in entries if not kinds or entry[0] in kinds]


@dataclass(frozen=True)
class Place:
    """A country, region or organisation named in a query, applied as a filter."""

    kind: str  # "country", "region" or "organisation"
    key: str  # country or organisation pk, or region code
    label: str
    words: str  # the words of the query that named it
    param: str = ""  # the practice list's parameter and value: "country=GHA"


# The regions' English names: the words a query is written in, whatever the interface language.
with translation.override(None):
    REGIONS = {normal(str(label)): code for code, label in Region.choices if code != "none"}
REGIONS.update({"african": "africa", "european": "europe", "asian": "asia"})


def find_places(request, text: str) -> tuple[list[Place], str]:
    """The places and organisations named inside the query, and the words left to search. A query
    in websearch syntax is left as typed."""
    if SYNTAX.search(text):
        return [], text
    index = name_index(request)
    words = normal(text).split()
    places: list[Place] = []
    rest: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(6, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + size])
            place = None
            if phrase in REGIONS:
                code = REGIONS[phrase]
                place = Place("region", code, dict(Region.choices)[code], phrase, f"region={code}")
            else:
                for kind, pk, label, key in index.get(phrase, []):
                    if kind in {"country", "organisation"} and (size > 1 or len(phrase) > 3):
                        param = f"country={key}" if kind == "country" else ""
                        place = Place(kind, str(pk), label, phrase, param)
                        break
            if place:
                places.append(place)
                i += size
                break
        else:
            rest.append(words[i])
            i += 1
    return places, " ".join(rest)
