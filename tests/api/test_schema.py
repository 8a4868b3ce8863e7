"""/api/schema/ is a valid OpenAPI 3 document of every endpoint."""

from __future__ import annotations

import pytest
import yaml
from drf_spectacular.validation import validate_schema


@pytest.mark.django_db
def test_it_serves_a_valid_openapi_document(alice, api_for):
    response = api_for(alice).get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/residences/",
        "/api/readings/",
        "/api/invoices/{id}/",
        "/api/invoices/{id}/pdf/",
        "/api/invoices/{id}/xml/",
    } <= set(schema["paths"])
    assert "post" in schema["paths"]["/api/readings/"]
    assert "post" not in schema["paths"]["/api/residences/"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
def test_it_documents_the_filters_of_a_list(alice, api_for):
    schema = yaml.safe_load(api_for(alice).get("/api/schema/").content)

    parameters = schema["paths"]["/api/readings/"]["get"]["parameters"]

    assert {"register", "date_from", "date_to", "page"} <= {
        p["name"] for p in parameters
    }
