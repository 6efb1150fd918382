"""Pages of the RCP directory."""

from django.urls import path

from rcps import views
from rcps.feeds import RCPFeed

urlpatterns = [
    path("feeds/rcps/", RCPFeed(), name="rcp-feed"),
    path("rcps/", views.RCPListView.as_view(), name="rcp-list"),
    path("rcps/<slug:slug>/", views.RCPDetailView.as_view(), name="rcp-detail"),
]
