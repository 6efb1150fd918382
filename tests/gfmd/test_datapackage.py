"""`manage.py export_datapackage DIR` writes a Frictionless Data Package that `frictionless
validate` accepts: a CSV per table with its Table Schema and foreign keys, the licence, the
sources, checksums and the data version."""

import csv
import hashlib
import json

import pytest
from django.core.management import call_command
from frictionless import validate

from practices.models import Practice
from tests.factories import make_practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(tmp_path):
    draft = make_practice(published=False, title="Zyxq draft")
    call_command("export_datapackage", str(tmp_path / "release"), stdout=open("/dev/null", "w"))
    directory = tmp_path / "release"
    return directory, json.loads((directory / "datapackage.json").read_text()), draft


def test_frictionless_validates_the_package(package):
    directory, _, _ = package
    report = validate(str(directory / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_descriptor_names_licence_sources_version_and_checksums(package):
    directory, descriptor, _ = package
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["licenses"][0]["name"] == "MIT"
    assert any("Bruylant, Brussels, 2008" in s["title"] for s in descriptor["sources"])
    assert "version" in descriptor and "data_version" in descriptor
    for resource in descriptor["resources"]:
        content = (directory / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        assert resource["bytes"] == len(content)


def test_tables_join_by_foreign_keys(package):
    _, descriptor, _ = package
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert {"practices", "practices_themes", "citations", "participations"} <= set(resources)
    keys = resources["practices_themes"]["schema"]["foreignKeys"]
    assert {k["reference"]["resource"] for k in keys} == {"practices", "themes"}
    session = next(
        k
        for k in resources["participations"]["schema"]["foreignKeys"]
        if k["fields"] == ["session"]
    )
    assert session["reference"] == {"resource": "sessions", "fields": ["slug"]}
    assert resources["practices"]["schema"]["primaryKey"] == ["slug"]


def test_only_public_records_are_released(package):
    directory, _, draft = package
    with (directory / "practices.csv").open(encoding="utf-8") as rows:
        practices = list(csv.DictReader(rows))
    assert len(practices) == Practice.objects.published().count()
    assert draft.slug not in {row["slug"] for row in practices}
    assert "outcomes" in practices[0] and "results" not in practices[0]
    with (directory / "citations.csv").open(encoding="utf-8") as rows:
        assert draft.slug not in {row["record_key"] for row in csv.DictReader(rows)}
