"""URLs of the server-rendered pages."""

from django.urls import path

from gfmd.site import views
from gfmd.site.overview import OverviewView
from practices import views as practice_views
from rcps import views as rcp_views
from roundtables import views as rt_views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("overview/", OverviewView.as_view(), name="overview"),
    path("themes/", practice_views.ThemeListView.as_view(), name="theme-list"),
    path("themes/<slug:slug>/", practice_views.ThemeDetailView.as_view(), name="theme-detail"),
    path("practices/", practice_views.PracticeListView.as_view(), name="practice-list"),
    path(
        "practices/<slug:slug>/",
        practice_views.PracticeDetailView.as_view(),
        name="practice-detail",
    ),
    path("meetings/", rt_views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<slug:slug>/", rt_views.MeetingDetailView.as_view(), name="meeting-detail"),
    path(
        "roundtables/<slug:slug>/",
        rt_views.RoundtableDetailView.as_view(),
        name="roundtable-detail",
    ),
    path("sessions/<slug:slug>/", rt_views.SessionDetailView.as_view(), name="session-detail"),
    path(
        "horizontal-issues/<slug:slug>/",
        rt_views.HorizontalIssueDetailView.as_view(),
        name="horizontal-issue-detail",
    ),
    path("topics/<slug:slug>/", rt_views.TopicDetailView.as_view(), name="topic-detail"),
    path("recommendations/", rt_views.RecommendationListView.as_view(), name="recommendation-list"),
    path(
        "recommendations/<slug:slug>/",
        rt_views.RecommendationDetailView.as_view(),
        name="recommendation-detail",
    ),
    path("rcps/", rcp_views.RCPListView.as_view(), name="rcp-list"),
    path("rcps/<slug:slug>/", rcp_views.RCPDetailView.as_view(), name="rcp-detail"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<str:iso3>/", views.country_detail, name="country-detail"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
]
