"""API leftovers of issue 13: a method a path does not take answers 405 in the
documented error shape (JSON, Chinese) with the Allow header."""

import pytest


@pytest.mark.django_db
def test_method_not_allowed_is_json_in_the_error_shape(client, tree):
    client.force_login(tree.users["city_admin"])

    response = client.delete("/api/orgs")

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert "GET" in response["Allow"]
    body = response.json()
    assert set(body) == {"detail"} and "不支持此请求方法" in body["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/members?status=bogus", "status"),
        ("/api/members?category=bogus", "category"),
        ("/api/study/orgs/CA/records?source=bogus", "source"),
    ],
)
def test_list_filters_take_only_their_documented_values(client, tree, path, name):
    client.force_login(tree.users["city_admin"])

    response = client.get(path)

    assert response.status_code == 422
    assert name in response.json()["errors"]


@pytest.mark.django_db
def test_list_filters_are_enums_in_the_schema(client):
    schema = client.get("/api/openapi.json").json()
    parameters = {
        (path, p["name"]): p["schema"]
        for path in ("/api/members", "/api/study/orgs/{code}/records")
        for p in schema["paths"][path]["get"]["parameters"]
    }
    for key in [
        ("/api/members", "status"),
        ("/api/members", "category"),
        ("/api/study/orgs/{code}/records", "source"),
    ]:
        assert any("$ref" in choice for choice in parameters[key]["anyOf"]), key
