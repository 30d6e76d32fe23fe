import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_token_login_then_token_authenticates(world, client_for):
    UserFactory(username="bookkeeper", password="a-long-pass-phrase")
    client = client_for(None)
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "bookkeeper", "password": "a-long-pass-phrase"},
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/regions/").status_code == 200


def test_wrong_password_is_400(world, client_for):
    response = client_for(None).post(
        "/api/v1/auth/token/", {"username": "office", "password": "nope"}
    )
    assert response.status_code == 400


def test_landing_page_links_the_doors(client):
    body = client.get("/").content.decode()
    assert "溯源" in body
    assert 'href="/api/docs/"' in body and 'href="/admin/"' in body
