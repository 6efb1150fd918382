"""Filters of the RCP directory (HTML and API)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from gfmd.lib.filters import ChoicesFilter, OrderingFilter, SearchFilter
from rcps.models import RCP, Engagement, QuestionnaireResponse, RCPRegion


class RCPFilter(django_filters.FilterSet):
    q = SearchFilter()
    region = ChoicesFilter(choices=RCPRegion.choices, label=_("Region"))
    md_engagement = ChoicesFilter(choices=Engagement.choices, label=_("Migration and development"))
    questionnaire = ChoicesFilter(
        choices=QuestionnaireResponse.choices, label=_("2007 IOM questionnaire")
    )
    ordering = OrderingFilter(
        fields=(
            ("name", "name"),
            ("region", "region"),
            ("md_engagement", "md_engagement"),
            ("questionnaire", "questionnaire"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = RCP
        fields: list[str] = []
