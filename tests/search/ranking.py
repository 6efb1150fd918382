"""The order of a search page's results, read from its HTML, whatever the page's layout: the
links of the result headings (`<li class="hit">` or the older `<ol class="results"><li><h3>`)."""

from __future__ import annotations

import re

HEADING_LINK = re.compile(r'<h3[^>]*>\s*<a href="([^"]+)"')


def result_links(client, query: str) -> list[str]:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200, query
    body = response.content.decode()
    start = body.find('role="status"')  # the results follow the result count
    return [link.split("?")[0] for link in HEADING_LINK.findall(body[start:])]


def rank_of(links: list[str], expect) -> int | None:
    wanted = {expect} if isinstance(expect, str) else set(expect)
    for position, link in enumerate(links, start=1):
        if link in wanted:
            return position
    return None
