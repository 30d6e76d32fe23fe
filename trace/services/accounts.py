"""Credentials of signed-in users: the API's token."""

from rest_framework.authtoken.models import Token


def api_token_for(*, user) -> str:
    """Return the user's API token, issuing one at the first token sign-in.

    The caller has authenticated the user; this only keeps DRF's one token
    per user (as DRF's own ObtainAuthToken does).
    """
    token, _created = Token.objects.get_or_create(user=user)
    return token.key
