"""The router of /api/v1/: every resource of every app, registered in the order the API root
lists them."""

from rest_framework.routers import DefaultRouter

from gfmd.site.api import CountryViewSet, OrganisationViewSet, SearchViewSet
from gfmd.site.sources_api import CitationViewSet, SourceViewSet
from practices.api import PracticeViewSet, ThemeViewSet
from rcps.api import RCPViewSet
from roundtables.api import (
    MeetingViewSet,
    ParticipationViewSet,
    RecommendationViewSet,
    RoundtableViewSet,
    SessionViewSet,
)

router = DefaultRouter()
router.register("countries", CountryViewSet, basename="country")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("sources", SourceViewSet, basename="sourcedocument")
router.register("citations", CitationViewSet, basename="citation")
router.register("themes", ThemeViewSet, basename="theme")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("roundtables", RoundtableViewSet, basename="roundtable")
router.register("sessions", SessionViewSet, basename="session")
router.register("participations", ParticipationViewSet, basename="participation")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("practices", PracticeViewSet, basename="practice")
router.register("rcps", RCPViewSet, basename="rcp")
router.register("search", SearchViewSet, basename="search")

urlpatterns = router.urls
