"""`manage.py export_datapackage DIR` writes a Frictionless Data Package that `frictionless
validate` accepts: a CSV per table with its Table Schema and foreign keys, the licence, the
sources, checksums and the data version."""

import csv
import hashlib
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from frictionless import validate

from gfmd.curation.datapackage import RESOURCES
from gfmd.models import Citation, FixtureLoad, Passage
from practices.models import Practice
from roundtables.findings import FollowUp
from tests.factories import make_practice

# What the package leaves out, and why: the documents' own text (their publishers', not the
# project's: the API and the reader serve it), the loader's bookkeeping, and what the public sent
# in (names and e-mail addresses). Citations have a table of their own.
NOT_RELEASED = {Passage, FixtureLoad, Citation, "curation.Proposal", "curation.ProblemReport"}

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


def test_every_table_of_records_is_released():
    """A model added later is released, or named above with the reason it is not."""
    released = {model for _, model, _ in RESOURCES}
    left_out = {apps.get_model(m) if isinstance(m, str) else m for m in NOT_RELEASED}
    for model in apps.get_models():
        if model._meta.app_label not in {"gfmd", "practices", "rcps", "roundtables", "curation"}:
            continue
        if model.__name__.startswith("Historical"):
            continue
        assert model in released or model in left_out, model._meta.label


def test_findings_follow_ups_and_referenced_documents_join_their_tables(package):
    directory, descriptor, _ = package
    resources = {r["name"]: r for r in descriptor["resources"]}

    def reference(table, column):
        keys = resources[table]["schema"]["foreignKeys"]
        return next(k["reference"] for k in keys if k["fields"] == [column])

    assert reference("report_findings", "document") == {"resource": "sources", "fields": ["slug"]}
    assert reference("report_findings_themes", "theme") == {
        "resource": "themes",
        "fields": ["slug"],
    }
    assert reference("referenced_documents", "source") == {
        "resource": "sources",
        "fields": ["slug"],
    }
    assert reference("follow_ups", "recommendation") == {
        "resource": "recommendations",
        "fields": ["slug"],
    }
    assert resources["follow_ups"]["schema"]["primaryKey"] == ["key"]
    with (directory / "follow_ups.csv").open(encoding="utf-8") as rows:
        follow_ups = list(csv.DictReader(rows))
    assert len(follow_ups) == FollowUp.objects.count() > 0
    first = FollowUp.objects.select_related("recommendation").order_by("pk").first()
    row = next(r for r in follow_ups if r["key"].startswith(first.recommendation.slug + "/"))
    assert row["key"] == f"{first.recommendation.slug}/{first.as_of.isoformat()}"
    assert row["status"] == first.status and row["as_of"] == first.as_of.isoformat()
    for table in ("report_findings", "referenced_documents"):
        with (directory / f"{table}.csv").open(encoding="utf-8") as rows:
            assert len(list(csv.DictReader(rows))) > 0, table
    with (directory / "citations.csv").open(encoding="utf-8") as rows:
        kinds = {row["record_kind"] for row in csv.DictReader(rows)}
    assert {"report_findings", "referenced_documents"} <= kinds


def test_only_public_records_are_released(package):
    directory, _, draft = package
    with (directory / "practices.csv").open(encoding="utf-8") as rows:
        practices = list(csv.DictReader(rows))
    assert len(practices) == Practice.objects.published().count()
    assert draft.slug not in {row["slug"] for row in practices}
    assert "outcomes" in practices[0] and "results" not in practices[0]
    with (directory / "citations.csv").open(encoding="utf-8") as rows:
        assert draft.slug not in {row["record_key"] for row in csv.DictReader(rows)}
