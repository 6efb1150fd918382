"""The overview page: where the practices are, what they are about, and the RCPs at a glance."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from gfmd.lib.charts import Bar, bar_chart, legend, world_map
from gfmd.lib.data_version import cached, request_version
from gfmd.models import Country, Region
from practices.models import Practice, Theme
from rcps.models import RCP, Engagement, RCPRegion


def practices_by_country() -> dict[str, int]:
    return dict(
        Practice.objects.published()
        .filter(countries__isnull=False)
        .values_list("countries__iso3")
        .annotate(n=Count("pk", distinct=True))
    )


MAP_TITLE = _("Number of good practices each country implements")


def map_svg() -> str:
    return str(
        world_map(
            practices_by_country(),
            dict(Country.objects.values_list("iso2", "iso3")),
            link=f"{reverse('practice-list')}?country=",
            title=str(MAP_TITLE),
        )
    )


def overview_map(request):
    """The world map as an SVG file of its own (some 800 KB of outlines), drawn once per data
    version. Asked for with the data version in its address (as the overview page does), it
    may be kept by browsers and caches for a day."""
    version = request_version(request)
    svg = cached(request, "overview-map", (), map_svg)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    if version is not None and request.GET.get("v") == str(version):
        response["Cache-Control"] = "public, max-age=86400, immutable"
    return response


class OverviewView(TemplateView):
    query_parameters = ()
    template_name = "gfmd/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Practice.objects.published()
        by_country = practices_by_country()
        countries = {c.iso3: c for c in Country.objects.filter(iso3__in=by_country)}
        by_theme = (
            Theme.objects.published()
            .filter(practices__in=published)
            .annotate(n=Count("practices", distinct=True))
            .order_by("-n", "name")
        )
        regions = dict(Region.choices)
        by_region = (
            published.filter(countries__isnull=False)
            .values("countries__region")
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n")
        )
        engagement = dict(Engagement.choices)
        rcp_rows = RCP.objects.published().values("region", "md_engagement").annotate(n=Count("pk"))
        rcp_table: dict[str, dict[str, int]] = {}
        for row in rcp_rows:
            rcp_table.setdefault(row["region"], {})[row["md_engagement"]] = row["n"]
        rcp_regions = dict(RCPRegion.choices)
        practices = reverse("practice-list")
        context.update(
            map_version=request_version(self.request) or "",
            map_title=str(MAP_TITLE),
            legend=legend(max(by_country.values(), default=0)),
            country_rows=sorted(
                ((countries[iso3], n) for iso3, n in by_country.items()),
                key=lambda row: (-row[1], row[0].display_name),
            ),
            theme_chart=bar_chart(
                [Bar(t.name, t.n, f"{practices}?theme={t.slug}") for t in by_theme],
                title=gettext("Good practices by theme"),
                unit=gettext("practices"),
            ),
            theme_rows=by_theme,
            region_chart=bar_chart(
                [
                    Bar(
                        str(regions.get(r["countries__region"], r["countries__region"])),
                        r["n"],
                        f"{practices}?region={r['countries__region']}",
                    )
                    for r in by_region
                ],
                title=gettext("Good practices by region of the implementing countries"),
                unit=gettext("practices"),
            ),
            region_rows=[(regions.get(r["countries__region"]), r["n"]) for r in by_region],
            rcp_chart=bar_chart(
                [
                    Bar(
                        str(engagement[key]),
                        sum(v.get(key, 0) for v in rcp_table.values()),
                        f"{reverse('rcp-list')}?md_engagement={key}",
                    )
                    for key in engagement
                    if any(key in v for v in rcp_table.values())
                ],
                title=gettext("RCPs by how they treat migration and development"),
                unit=gettext("RCPs"),
            ),
            rcp_columns=[
                (key, label)
                for key, label in engagement.items()
                if any(key in v for v in rcp_table.values())
            ],
            rcp_rows=[
                (
                    rcp_regions[region],
                    [
                        rcp_table[region].get(key, 0)
                        for key in engagement
                        if any(key in v for v in rcp_table.values())
                    ],
                    sum(rcp_table[region].values()),
                )
                for region in rcp_regions
                if region in rcp_table
            ],
        )
        return context
