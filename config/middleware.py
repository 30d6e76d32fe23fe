"""Project-wide request handling that belongs to no package."""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Speak zh-hans unless the user chose another language (the language cookie).

    Django's LocaleMiddleware follows the browser's Accept-Language, so an
    English-locale browser got "Username" and "This field is required." inside
    Chinese pages. Suyuan's users read Chinese whatever their browser says;
    a choice made with Django's set_language view (/i18n/setlang/) is kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = settings.LANGUAGE_CODE
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen:
            try:
                language = translation.get_supported_language_variant(chosen)
            except LookupError:
                pass  # an unknown or forged cookie: the default
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
