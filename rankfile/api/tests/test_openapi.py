"""The OpenAPI description at /api/openapi.json."""

from __future__ import annotations


def test_it_describes_the_three_endpoints_and_the_bearer_token(client, db):
    response = client.get("/api/openapi.json")

    assert 200 == response.status_code
    schema = response.json()
    assert "Rank & File API" == schema["info"]["title"]
    assert {"/api/join", "/api/stats", "/api/members/{reference}"} <= set(schema["paths"])
    assert {"type": "http", "scheme": "bearer"} == schema["components"]["securitySchemes"][
        "ApiToken"
    ]
    assert [{"ApiToken": []}] == schema["paths"]["/api/members/{reference}"]["get"]["security"]
    assert "security" not in schema["paths"]["/api/join"]["post"]


def test_it_documents_the_idempotency_key_and_the_error_shape(client, db):
    join = client.get("/api/openapi.json").json()["paths"]["/api/join"]["post"]

    assert "Idempotency-Key" in [p["name"] for p in join["parameters"]]
    assert {"201", "409", "422"} <= set(join["responses"])


def test_it_serves_the_docs_page_from_its_own_static_files(client, db):
    response = client.get("/api/docs")

    assert 200 == response.status_code
    page = response.content.decode()
    assert "swagger-ui-bundle.js" in page and "/static/" in page
    assert "cdn" not in page.lower()


def test_it_lists_the_membership_categories_as_the_joining_category_enum(client, db):
    schema = client.get("/api/openapi.json").json()

    join_in = schema["components"]["schemas"]["JoinIn"]["properties"]["category"]
    assert ["member", "affiliated_supporter", "registered_supporter"] == join_in["enum"]
