"""Pages of the public's proposals and problem reports."""

from django.urls import path

from gfmd.curation import views

urlpatterns = [
    path("propose/", views.propose, name="propose-practice"),
    path("report/<int:content_type_id>/<int:pk>/", views.report_problem, name="report-problem"),
    path("received/<slug:reference>/", views.received, name="submission-received"),
]
