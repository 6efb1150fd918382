"""Pages of themes and good practices."""

from django.urls import path

from practices import views
from practices.feeds import PracticeFeed, ThemeFeed

urlpatterns = [
    path("feeds/themes/", ThemeFeed(), name="theme-feed"),
    path("feeds/practices/", PracticeFeed(), name="practice-feed"),
    path("themes/", views.ThemeListView.as_view(), name="theme-list"),
    path("themes/<slug:slug>/", views.ThemeDetailView.as_view(), name="theme-detail"),
    path("practices/", views.PracticeListView.as_view(), name="practice-list"),
    path("practices/<slug:slug>/", views.PracticeDetailView.as_view(), name="practice-detail"),
]
