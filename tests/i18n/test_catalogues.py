"""The French and Spanish catalogues: every entry translated (none fuzzy), each translation with
the placeholders of its original, the compiled .mo files up to date with their .po, and every
marked string of the templates and the code in the catalogues."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["fr", "es"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")
# What `make messages` extracts: the same options.
MAKEMESSAGES = [
    "makemessages",
    "-l",
    "fr",
    "--add-location",
    "file",
    "--ignore=var",
    "--ignore=bench",
    "--ignore=tests",
    "--ignore=scripts",
    "--ignore=screenshots",
    "--ignore=.venv",
]
SOURCES = ("gfmd", "practices", "rcps", "roundtables", "templates")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def key(entry) -> tuple:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    po = catalogue(language)
    assert len(po) > 300
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == language
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    for entry in catalogue(language).translated_entries():
        originals = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        strings = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == originals, (entry.msgid, string)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_up_to_date(language):
    """The .mo holds exactly the .po's translations (run `make messages` after editing a .po)."""
    po = catalogue(language)
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))

    def contents(entries):
        return {
            key(e): tuple(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr
            for e in entries
            if e.msgid
        }

    assert contents(mo) == contents(po.translated_entries())
    assert mo.metadata["Plural-Forms"] == po.metadata["Plural-Forms"]


@pytest.mark.skipif(
    not shutil.which("xgettext"), reason="needs GNU gettext (apt-get install gettext)"
)
def test_every_marked_string_is_in_the_catalogues(tmp_path):
    """makemessages run on a copy of the code finds no string the catalogues lack (or keep
    without need)."""
    base = Path(settings.BASE_DIR)
    for name in SOURCES:
        shutil.copytree(base / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gfmd.settings", "PYTHONPATH": str(tmp_path)}
    subprocess.run(
        [sys.executable, "-m", "django", *MAKEMESSAGES],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = {key(e) for e in polib.pofile(str(tmp_path / "locale/fr/LC_MESSAGES/django.po"))}
    for language in LANGUAGES:
        assert {key(e) for e in catalogue(language)} == extracted
