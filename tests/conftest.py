import pytest

from tests.factories import Tree, build_tree

TEST_ID_KEY = "bLrZ8tOm5qY1cCqkVbS2Zt0o6d4B0yJm1rUu2kqk6Dk="


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ID_NUMBER_KEYS = TEST_ID_KEY
    settings.ID_NUMBER_HMAC_KEY = "test-hmac-key"


@pytest.fixture
def tree(db) -> Tree:
    return build_tree()


@pytest.fixture
def client_for(client):
    """Log a test client in as one of the tree's named users."""

    def login(user):
        client.force_login(user)
        return client

    return login
