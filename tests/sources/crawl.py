"""Following citation links as a reader does: from a record page's HTML to the reader page it
links to, and the passage at the link's anchor.

Only the rendered pages are read, never the database: what is checked is what a reader sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from gfmd.lib.textfold import contains

# The lists a citation is rendered in: a record's own ("Where this comes from") and the citations
# of one item among several (a follow-up, a participation, a finding).
CITATION_LISTS = {"citations", "inline-citations"}
PASSAGE_CLASSES = {"passage", "passage-heading", "furniture"}
VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "area", "col", "embed"}


@dataclass
class CitationLink:
    page: str
    excerpt: str
    href: str


@dataclass
class _Item:
    excerpt: list[str] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)


class CitationParser(HTMLParser):
    """The citations of a record page: each list item's quoted excerpt and its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[_Item] = []
        self._stack: list[str] = []
        self._list_depth: int | None = None
        self._item: _Item | None = None
        self._quote_depth: int | None = None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        self._stack.append(tag)
        depth = len(self._stack)
        if tag in ("ol", "ul") and classes & CITATION_LISTS and self._list_depth is None:
            self._list_depth = depth
        elif tag == "li" and self._list_depth == depth - 1:
            self._item = _Item()
            self.items.append(self._item)
        elif self._item is not None:
            if tag in ("blockquote", "q") and self._quote_depth is None:
                self._quote_depth = depth
            elif tag == "a" and attrs.get("href"):
                self._item.hrefs.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self._stack:
            return
        while self._stack:
            depth = len(self._stack)
            if self._quote_depth == depth:
                self._quote_depth = None
            if self._list_depth == depth:
                self._list_depth = None
            closed = self._stack.pop()
            if closed == "li" and self._list_depth == depth - 1:
                self._item = None
            if closed == tag:
                break

    def handle_data(self, data):
        if self._item is not None and self._quote_depth is not None:
            self._item.excerpt.append(data)


class PassageParser(HTMLParser):
    """The passages of a reader page, by anchor: the text a reader reads, without the paragraph
    number's link or the list of records citing it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.passages: dict[str, str] = {}
        self.order: list[str] = []
        self.ids: set[str] = set()
        self._stack: list[tuple[str, bool]] = []  # (tag, whether its text is skipped)
        self._anchor: str | None = None
        self._anchor_depth = 0
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag in VOID:
            return
        classes = set((attrs.get("class") or "").split())
        skipped = tag == "aside" or (tag == "a" and "place" in classes)
        self._stack.append((tag, skipped))
        if self._anchor is None and attrs.get("id") and classes & PASSAGE_CLASSES:
            self._anchor, self._anchor_depth, self._text = attrs["id"], len(self._stack), []

    def handle_endtag(self, tag):
        if tag in VOID or tag not in (t for t, _ in self._stack):
            return
        while self._stack:
            depth = len(self._stack)
            closed, _ = self._stack.pop()
            if self._anchor is not None and depth == self._anchor_depth:
                self.passages[self._anchor] = " ".join("".join(self._text).split())
                self.order.append(self._anchor)
                self._anchor = None
            if closed == tag:
                break

    def handle_data(self, data):
        if self._anchor is not None and not any(skipped for _, skipped in self._stack):
            self._text.append(data)


def citation_links(page: str, html: str) -> list[CitationLink]:
    """Every citation of a record page with the link to the source it quotes."""
    parser = CitationParser()
    parser.feed(html)
    links = []
    for item in parser.items:
        excerpt = " ".join("".join(item.excerpt).split()).strip('“”"')
        sources = [h for h in item.hrefs if urlsplit(h).path.startswith("/sources/")]
        links.append(CitationLink(page, excerpt, sources[0] if sources else ""))
    return links


def reader_passages(html: str) -> PassageParser:
    parser = PassageParser()
    parser.feed(html)
    return parser


def check_link(link: CitationLink, reader: PassageParser) -> str | None:
    """What is wrong with one citation link, given the reader page it points to; None if it
    lands on a passage holding its excerpt. An excerpt that runs over a page break starts in the
    anchored passage and goes on into the passages that follow it."""
    anchor = urlsplit(link.href).fragment
    where = f"{link.page}: {link.href}"
    if not anchor:
        return f"{where} has no anchor (it does not point to a passage)"
    if anchor not in reader.passages:
        return f"{where}: no passage #{anchor} on that page"
    text = reader.passages[anchor]
    if contains(text, link.excerpt):
        return None
    following = reader.order[reader.order.index(anchor) :][:4]
    joined = " ".join(reader.passages[a] for a in following)
    first_words = " ".join(link.excerpt.split()[:4])
    if contains(text, first_words) and contains(joined, link.excerpt):
        return None
    return (
        f"{where}: passage #{anchor} does not hold \u201c{link.excerpt}\u201d; "
        f"it reads \u201c{text[:200]}\u201d"
    )


_SITEMAP_LOC = re.compile(r"<loc>(.*?)</loc>")


def sitemap_pages(client) -> list[str]:
    """The path of every public record page, from the sitemap."""
    body = client.get("/sitemap.xml").content.decode()
    return [urlsplit(loc).path for loc in _SITEMAP_LOC.findall(body)]


def broken_citation_links(client, pages: list[str]) -> tuple[int, list[str]]:
    """Follow every citation link of the pages; the number of links followed and what is wrong."""
    readers: dict[str, PassageParser] = {}
    problems, followed = [], 0
    for page in pages:
        response = client.get(page)
        if response.status_code != 200:
            problems.append(f"{page}: status {response.status_code}")
            continue
        for link in citation_links(page, response.content.decode()):
            if not link.href:
                problems.append(
                    f"{page}: the citation \u201c{link.excerpt}\u201d links to no source"
                )
                continue
            if link.href.startswith("/sources/") and urlsplit(link.href).path.count("/") == 3:
                url = link.href.split("#")[0]
                if url not in readers:
                    reader = client.get(url)
                    if reader.status_code != 200:
                        problems.append(f"{page}: {link.href} answers {reader.status_code}")
                        continue
                    readers[url] = reader_passages(reader.content.decode())
                followed += 1
                problem = check_link(link, readers[url])
                if problem:
                    problems.append(problem)
            else:
                problems.append(f"{page}: {link.href} is not a reader page")
    return followed, problems
