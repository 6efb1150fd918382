"""Pages of meetings, roundtables, sessions, horizontal issues, topics and recommendations."""

from django.urls import path

from roundtables import views
from roundtables.feeds import MeetingFeed, RecommendationFeed

urlpatterns = [
    path("feeds/meetings/", MeetingFeed(), name="meeting-feed"),
    path("feeds/recommendations/", RecommendationFeed(), name="recommendation-feed"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<slug:slug>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path(
        "roundtables/<slug:slug>/", views.RoundtableDetailView.as_view(), name="roundtable-detail"
    ),
    path("sessions/<slug:slug>/", views.SessionDetailView.as_view(), name="session-detail"),
    path(
        "horizontal-issues/<slug:slug>/",
        views.HorizontalIssueDetailView.as_view(),
        name="horizontal-issue-detail",
    ),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("recommendations/", views.RecommendationListView.as_view(), name="recommendation-list"),
    path(
        "recommendations/<slug:slug>/",
        views.RecommendationDetailView.as_view(),
        name="recommendation-detail",
    ),
]
