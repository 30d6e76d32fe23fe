import pytest


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The world fixture makes four users; PBKDF2 would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
