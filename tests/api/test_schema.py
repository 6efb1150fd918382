"""The OpenAPI document describes what an analyst needs: tags and summaries, every filter's
meaning, value format and an example that works, the error and CSV responses."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/", {"format": "json"}).json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_is_tagged_by_resource_with_a_summary(schema):
    for path, method, operation in operations(schema):
        assert operation["tags"] == [path.split("/")[3]], (path, method)
        assert operation.get("summary"), (path, method)


def test_every_query_parameter_is_described(schema):
    for path, _, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                assert len(parameter.get("description", "")) > 20, (path, parameter["name"])


def test_every_filter_example_is_accepted(schema):
    """The documented example of each filter is a value the API takes (not merely a format)."""
    api = APIClient()
    tried = 0
    for path, method, operation in operations(schema):
        if method != "get" or "{" in path:
            continue
        required = {
            p["name"]: p.get("example") or next(iter(p["examples"].values()))["value"]
            for p in operation["parameters"]
            if p.get("required")
        }
        for parameter in operation["parameters"]:
            if "example" not in parameter or parameter["name"] == "format":
                continue
            response = api.get(path, {**required, parameter["name"]: parameter["example"]})
            assert response.status_code == 200, (path, parameter["name"], response.json())
            tried += 1
    assert tried > 40


def test_errors_and_csv_are_documented(schema):
    practices = schema["paths"]["/api/v1/practices/"]["get"]["responses"]
    assert {"200", "400", "404"} <= set(practices)
    assert practices["200"]["content"]["text/csv"]["schema"] == {"type": "string"}
    detail = schema["paths"]["/api/v1/practices/{slug}/"]
    assert {"400", "404", "409"} <= set(detail["patch"]["responses"])
    assert "409" not in detail["get"]["responses"]


def test_page_size_bounds_are_in_the_schema(schema):
    parameters = schema["paths"]["/api/v1/practices/"]["get"]["parameters"]
    page_size = next(p for p in parameters if p["name"] == "page_size")
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
