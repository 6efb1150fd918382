"""`/sitemap.xml`: every public record page (django.contrib.sitemaps), by kind."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap

from gfmd.lib.review import published
from gfmd.models import Country, Organisation, SourceDocument
from practices.models import Practice, Theme
from rcps.models import RCP
from roundtables.models import HorizontalIssue, Meeting, Recommendation, Roundtable, Session, Topic


class RecordSitemap(Sitemap):
    def __init__(self, queryset_factory):
        self.queryset_factory = queryset_factory

    def items(self):
        # The page URL needs only the key: read no more than that. Published records only.
        return published(self.queryset_factory()).order_by("pk")

    def location(self, item):
        return item.get_absolute_url()


SITEMAPS = {
    "practices": RecordSitemap(lambda: Practice.objects.published().only("slug")),
    "recommendations": RecordSitemap(lambda: Recommendation.objects.published().only("slug")),
    "rcps": RecordSitemap(lambda: RCP.objects.only("slug")),
    "meetings": RecordSitemap(lambda: Meeting.objects.only("slug")),
    "roundtables": RecordSitemap(lambda: Roundtable.objects.only("slug")),
    "sessions": RecordSitemap(lambda: Session.objects.only("slug")),
    "horizontal-issues": RecordSitemap(lambda: HorizontalIssue.objects.only("slug")),
    "topics": RecordSitemap(lambda: Topic.objects.only("slug")),
    "themes": RecordSitemap(lambda: Theme.objects.only("slug")),
    "countries": RecordSitemap(lambda: Country.objects.only("iso3")),
    "organisations": RecordSitemap(lambda: Organisation.objects.only("slug")),
    "sources": RecordSitemap(lambda: SourceDocument.objects.only("slug")),
}
