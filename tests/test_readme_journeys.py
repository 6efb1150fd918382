"""The newcomer's journeys, as the README tells them: every example address in its API and
open-data sections answers (with the header the README gives), so the docs stay true."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

README = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
SECTIONS = README[README.index("## API") :]
ORIGIN = "http://127.0.0.1:8000"


def examples() -> list[tuple[str, str]]:
    """(path, Accept header or '') of each example: curl commands and `/…?…` addresses."""
    found = []
    for accept, url in re.findall(
        r"curl (?:-o \S+ )?(?:-H 'Accept: ([^']+)' )?'?(\S+?)'?(?:`|$)", SECTIONS, re.M
    ):
        found.append((url.removeprefix(ORIGIN), accept))
    for path in re.findall(r"`(/(?:api/v1|practices|search|feeds)/[^`\s]*\?[^`\s]+)`", SECTIONS):
        found.append((path, ""))
    return found


def test_the_readme_has_the_journeys():
    paths = [path for path, _ in examples()]
    assert any("scope=bilateral&region=asia&format=csv" in p for p in paths)
    assert any(p.startswith("/api/v1/changes/?since=") for p in paths)
    assert any(p.startswith("/feeds/practices/?") for p in paths)
    assert any(accept == "application/x-bibtex" for _, accept in examples())


@pytest.mark.parametrize(("path", "accept"), examples())
def test_every_example_answers(client, path, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.content[:200])
    if accept:
        assert response["Content-Type"].startswith(accept)
