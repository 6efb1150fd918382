"""Pages that combine the apps: home, search, overview, and the reference data's pages."""

from django.urls import path

from gfmd.lib.feeds import old_feed_view
from gfmd.site import reader, views
from gfmd.site.feeds import CountryFeed, OrganisationFeed, SearchFeed, SourceFeed
from gfmd.site.overview import OverviewView, overview_map

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feeds/search/", SearchFeed(), name="search-feed"),
    # where the search's feed used to be
    path("search/feed/", old_feed_view("search-feed")),
    path("feeds/countries/", CountryFeed(), name="country-feed"),
    path("feeds/organisations/", OrganisationFeed(), name="organisation-feed"),
    path("feeds/sources/", SourceFeed(), name="source-feed"),
    path("overview/", OverviewView.as_view(), name="overview"),
    path("overview/map.svg", overview_map, name="overview-map"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<str:iso3>/", views.country_detail, name="country-detail"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<slug:slug>/", reader.SourceReaderView.as_view(), name="source-detail"),
    path(
        "sources/<slug:slug>/passages/<slug:anchor>/",
        reader.passage_permalink,
        name="passage-detail",
    ),
]
