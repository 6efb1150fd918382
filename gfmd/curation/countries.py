"""The countries fixture from ISO 3166 (pycountry) and UN M49 regions (`manage.py build_countries`).

The M49 region and sub-region come from the country table of the `country_converter` package
(install the project's `data` extra). The generated file is committed, so running the site needs
neither package.
"""

from __future__ import annotations

import csv
from importlib import resources

import pycountry
from django.utils.text import slugify


class MissingDataPackage(RuntimeError):
    """The `data` extra is not installed."""


CONTINENT_TO_REGION = {
    "Africa": "africa",
    "America": "americas",
    "Asia": "asia",
    "Europe": "europe",
    "Oceania": "oceania",
}


def m49_table() -> dict[str, dict[str, str]]:
    try:
        data = resources.files("country_converter").joinpath("country_data.tsv").read_text("utf-8")
    except ModuleNotFoundError as exc:
        raise MissingDataPackage("Install the data extra first: pip install -e '.[data]'") from exc
    rows = csv.DictReader(data.splitlines(), delimiter="\t")
    return {row["ISO3"]: row for row in rows}


def country_records() -> list[dict]:
    """One fixture record per ISO 3166 country, with its M49 region and sub-region."""
    table = m49_table()
    records = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        row = table.get(country.alpha_3, {})
        records.append(
            {
                "model": "gfmd.country",
                "iso3": country.alpha_3,
                "iso2": country.alpha_2,
                "numeric": country.numeric,
                "name": country.name,
                "common_name": getattr(country, "common_name", ""),
                "slug": slugify(getattr(country, "common_name", country.name)),
                "region": CONTINENT_TO_REGION.get(row.get("continent", ""), "none"),
                "subregion": "" if row.get("UNregion") == "Antarctica" else row.get("UNregion", ""),
            }
        )
    return records
