"""The curated-data loader is idempotent, atomic, and names the record and field at fault."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gfmd.curation.loader import CuratedDataError, Loader, load_directory
from gfmd.models import Citation, FixtureLoad, Organisation
from practices.models import Practice, Theme
from roundtables.models import Participation, Recommendation, Session

pytestmark = pytest.mark.django_db

THEME = """
- model: practices.theme
  slug: test-theme
  name: Test theme
  kind: topic
  parent: gfmd-test-missing
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def table_sizes():
    return (Session.objects.count(), Theme.objects.count(), Citation.objects.count())


def test_loading_twice_changes_nothing(tmp_path):
    write(
        tmp_path,
        "practices/themes-loader-test.yaml",
        """
- model: practices.theme
  slug: loader-theme
  name: Loader theme
  kind: topic
  parent: gender
  citations:
    - document: brussels-report
      locator: Gender
      lines: [2422, 2422]
      excerpt: Gender
""",
    )
    load_directory(tmp_path)
    theme = Theme.objects.get(slug="loader-theme")
    citation_ids = list(theme.citations.values_list("pk", flat=True))
    before = table_sizes()
    report = load_directory(tmp_path, force=True)
    assert report.created == 0
    assert table_sizes() == before
    assert list(theme.citations.values_list("pk", flat=True)) == citation_ids


def test_unchanged_file_is_skipped_so_admin_edits_survive(tmp_path):
    write(
        tmp_path,
        "practices/themes-loader-test.yaml",
        """
- model: practices.theme
  slug: loader-theme
  name: Loader theme
  kind: topic
""",
    )
    load_directory(tmp_path)
    Theme.objects.filter(slug="loader-theme").update(name="Edited by a curator")
    report = load_directory(tmp_path)
    assert report.files_skipped == ["practices/themes-loader-test.yaml"]
    assert Theme.objects.get(slug="loader-theme").name == "Edited by a curator"


def test_broken_record_rolls_back_everything_and_names_the_field(tmp_path):
    write(
        tmp_path,
        "gfmd/sources.yaml",
        """
- model: gfmd.organisation
  slug: org-that-must-not-stay
  name: Temporary
  kind: other
""",
    )
    write(tmp_path, "practices/themes-loader-test.yaml", THEME)
    before = FixtureLoad.objects.count()
    with pytest.raises(CuratedDataError) as error:
        load_directory(tmp_path)
    message = str(error.value)
    assert message.startswith(
        "practices/themes-loader-test.yaml: record 1 (practices.theme test-theme)"
    )
    assert "field 'parent'" in message
    from gfmd.models import Organisation

    assert not Organisation.objects.filter(slug="org-that-must-not-stay").exists()
    assert FixtureLoad.objects.count() == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- model: practices.theme\n  slug: x\n  name: X\n  kind: nonsense\n", "field 'kind'"),
        ("- model: practices.theme\n  slug: x\n  nam: X\n  kind: topic\n", "unknown field 'nam'"),
        ("- model: practices.nothing\n  slug: x\n", "unknown model 'practices.nothing'"),
        ("- model: practices.theme\n  name: X\n  kind: topic\n", "field 'slug' is required"),
        ("- [1, 2\n", "not valid YAML"),
        (
            "- model: practices.theme\n  slug: x\n  name: X\n  kind: topic\n  citations:\n"
            "    - document: brussels-report\n      lines: [5]\n      excerpt: e\n",
            "field 'lines'",
        ),
        (
            "- model: practices.theme\n  slug: x\n  name: X\n  kind: topic\n  citations:\n"
            "    - document: nowhere\n      lines: [5, 6]\n      excerpt: e\n",
            "no source document 'nowhere'",
        ),
    ],
)
def test_errors_name_what_is_wrong(text, expected):
    with pytest.raises(CuratedDataError) as error:
        Loader("f.yaml").load_text(text)
    assert expected in str(error.value)


def test_nested_records_follow_the_file(tmp_path):
    session = """
- model: roundtables.session
  meeting: gfmd-2007
  code: "1.1"
  participations:
{people}
"""
    person = "    - role: {role}\n      name: {name}\n"
    two = person.format(role="chair", name="A") + person.format(role="speaker", name="B")
    write(tmp_path, "roundtables/x.yaml", session.format(people=two))
    load_directory(tmp_path, only=["roundtables/x.yaml"])
    s = Session.objects.get(code="1.1")
    assert sorted(s.participations.values_list("name", flat=True)) == ["A", "B"]
    write(
        tmp_path, "roundtables/x.yaml", session.format(people=person.format(role="chair", name="A"))
    )
    load_directory(tmp_path, only=["roundtables/x.yaml"])
    assert list(s.participations.values_list("name", flat=True)) == ["A"]


def test_reloading_a_file_keeps_the_synthetic_children_of_its_records(tmp_path):
    """Generated benchmark records (manage.py synthesize) are in no file: reloading the file of
    their session must not remove them, while the curated ones it no longer lists still go."""
    s = Session.objects.get(meeting__slug="gfmd-2007", code="1.1")
    person = Participation.objects.create(
        session=s, role="speaker", name="Ms Testa Syntheticova", synthetic=True
    )
    recommendation = Recommendation.objects.create(
        session=s, number="S1", slug="synthetic-1-kept", title="Kept", text="Kept.", synthetic=True
    )
    assert s.participations.filter(synthetic=False).count() > 1
    assert s.recommendations.filter(synthetic=False).exists()
    write(
        tmp_path,
        "roundtables/x.yaml",
        """
- model: roundtables.session
  meeting: gfmd-2007
  code: "1.1"
  participations:
    - role: chair
      name: A
  recommendations: []
""",
    )
    load_directory(tmp_path, only=["roundtables/x.yaml"])
    assert list(s.participations.filter(synthetic=False).values_list("name", flat=True)) == ["A"]
    assert not s.recommendations.filter(synthetic=False).exists()
    assert list(s.participations.filter(synthetic=True)) == [person]
    assert list(s.recommendations.filter(synthetic=True)) == [recommendation]


def test_removing_the_records_no_file_lists_leaves_synthetic_practices(tmp_path):
    practice = (
        "- model: practices.practice\n  slug: {slug}\n  title: {slug}\n  summary: S.\n"
        "  scope: national\n  type: policy\n  themes: [gender]\n"
    )
    write(
        tmp_path,
        "practices/loader-test.yaml",
        practice.format(slug="p-one") + practice.format(slug="p-two"),
    )
    load_directory(tmp_path)
    synthetic = Practice.objects.create(
        slug="synthetic-1-p",
        title="P",
        summary="S.",
        scope="national",
        type="policy",
        synthetic=True,
    )
    write(tmp_path, "practices/loader-test.yaml", practice.format(slug="p-one"))
    report = load_directory(tmp_path)
    assert report.removed == 1
    assert not Practice.objects.filter(slug="p-two").exists()
    assert Practice.objects.filter(pk=synthetic.pk).exists()


def test_command_reports_failure_without_loading(tmp_path):
    write(tmp_path, "practices/themes-loader-test.yaml", THEME)
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("load_curated", str(tmp_path), verbosity=0)


def test_dry_run_keeps_nothing(tmp_path):
    write(
        tmp_path,
        "practices/themes-loader-test.yaml",
        THEME.replace("  parent: gfmd-test-missing\n", ""),
    )
    call_command("load_curated", str(tmp_path), "--dry-run", verbosity=0)
    assert not Theme.objects.filter(slug="test-theme").exists()


def test_a_record_removed_from_its_file_is_removed(tmp_path):
    theme = "- model: practices.theme\n  slug: {slug}\n  name: {slug}\n  kind: topic\n"
    write(
        tmp_path,
        "practices/themes-loader-test.yaml",
        theme.format(slug="t-one") + theme.format(slug="t-two"),
    )
    load_directory(tmp_path)
    write(tmp_path, "practices/themes-loader-test.yaml", theme.format(slug="t-one"))
    report = load_directory(tmp_path)
    assert report.removed == 1
    assert list(Theme.objects.filter(slug__startswith="t-").values_list("slug", flat=True)) == [
        "t-one"
    ]


def test_a_record_moved_to_another_file_is_kept(tmp_path):
    theme = "- model: practices.theme\n  slug: {slug}\n  name: {slug}\n  kind: topic\n"
    write(tmp_path, "gfmd/a.yaml", theme.format(slug="moving"))
    write(tmp_path, "gfmd/b.yaml", "[]\n")
    load_directory(tmp_path)
    write(tmp_path, "gfmd/a.yaml", "[]\n")
    write(tmp_path, "gfmd/b.yaml", theme.format(slug="moving"))
    report = load_directory(tmp_path)
    assert report.removed == 0
    assert Theme.objects.filter(slug="moving").exists()


MEETING_PEOPLE = """
- model: roundtables.meeting
  slug: loader-meeting
  title: Loader meeting
  kind: other
  summary: A meeting for the loader test.
  participations:
    - role: chair
      name: Ms Loader Chair
      part: Opening plenary session
    - role: chair
      name: Ms Loader Chair
      part: Closing plenary session
    - role: speaker
      name: Mr No Part
"""


def test_meeting_participations_by_part_load_twice_without_duplicates(tmp_path):
    text = MEETING_PEOPLE
    write(tmp_path, "roundtables/00-loader.yaml", text)
    load_directory(tmp_path)
    load_directory(tmp_path, force=True)
    people = Participation.objects.filter(meeting__slug="loader-meeting")
    assert sorted(people.values_list("part", "name")) == [
        ("", "Mr No Part"),
        ("Closing plenary session", "Ms Loader Chair"),
        ("Opening plenary session", "Ms Loader Chair"),
    ]
    # the file owns the list: a part it drops is removed
    write(tmp_path, "roundtables/00-loader.yaml", text.split("    - role: speaker")[0])
    load_directory(tmp_path)
    assert people.count() == 2


def test_aliases_load_and_are_searched(tmp_path):
    write(
        tmp_path,
        "gfmd/organisations-loader.yaml",
        """
- model: gfmd.organisation
  slug: loader-org
  name: Loader Organisation
  kind: other
  aliases: |-
    Loader Org
    LO
  description: An organisation for the loader test.
""",
    )
    load_directory(tmp_path)
    assert Organisation.objects.get(slug="loader-org").alias_list == ["Loader Org", "LO"]
    assert Organisation.objects.search("Loader Org").filter(slug="loader-org").exists()


def test_a_nameless_meeting_participation_names_the_field(tmp_path):
    write(
        tmp_path,
        "roundtables/00-loader.yaml",
        MEETING_PEOPLE.replace("      name: Mr No Part\n", ""),
    )
    with pytest.raises(CuratedDataError, match="field 'name' is required"):
        load_directory(tmp_path)


def test_a_loaded_record_s_history_names_its_file_not_none(staff_client, tmp_path):
    """A version written by loading the curated data has no user: the admin's history says it
    came from the curated data files, and which one, and so does the public changes list."""
    folder = tmp_path / "fixtures"
    (folder / "practices").mkdir(parents=True)
    (folder / "practices" / "themes-loaded.yaml").write_text(
        "- model: practices.theme\n  slug: loaded-theme\n  name: Loaded theme\n  kind: topic\n"
    )
    load_directory(folder)
    theme = Theme.objects.get(slug="loaded-theme")
    row = theme.history.get()
    assert row.history_user is None
    assert row.history_change_reason == "curated data (fixtures/practices/themes-loaded.yaml)"
    page = staff_client.get(f"/admin/practices/theme/{theme.pk}/history/").content.decode()
    table = page[page.index('id="change-history"') :]
    table = table[: table.index("</table>")]
    assert "curated data files" in table
    assert "curated data (fixtures/practices/themes-loaded.yaml)" in table
    assert "None" not in table
    public = staff_client.get(theme.get_absolute_url()).content.decode()
    loaded = "by the curated data files (version 1): curated data (fixtures/practices/"
    assert loaded in public and "None" not in public
