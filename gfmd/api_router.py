"""The router of /api/v1/: every resource of every app, registered in the order the API root
lists them, and the root itself, which also links the documentation, the schema and the facets."""

from django.urls import reverse
from rest_framework import routers
from rest_framework.response import Response

from gfmd.lib.api.strict import StrictParametersMixin
from gfmd.site.api import CountryViewSet, OrganisationViewSet, SearchViewSet
from gfmd.site.changes import ChangeViewSet
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

# Links of the root beside the resources: key, URL name.
ROOT_LINKS = (
    ("practice_facets", "api:practice-facets"),
    ("docs", "api-docs"),
    ("redoc", "api-redoc"),
    ("schema", "schema"),
)


class APIRootView(StrictParametersMixin, routers.APIRootView):
    """The resources of the API, each with the URL of its list, then the interactive
    documentation (`docs`, `redoc`), the OpenAPI `schema` and the practice facets."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Django's reverse: DRF's would carry this request's `format` into the documentation's URL.
        links = {key: request.build_absolute_uri(reverse(name)) for key, name in ROOT_LINKS}
        return Response({**response.data, **links})


class Router(routers.DefaultRouter):
    APIRootView = APIRootView


router = Router()
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
router.register("changes", ChangeViewSet, basename="change")

urlpatterns = router.urls
