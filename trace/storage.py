"""Private file storage: evidence that only authorised views may serve.

Files live under SUYUAN_PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, so nothing
(not even Django's DEBUG media route) serves them by URL; views stream them
after checking who asks. The setting is read on every access, so tests and
deployments can move it without reloading models.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


def private_media_root() -> Path:
    """Return the private root (default: `private` beside MEDIA_ROOT)."""
    configured = getattr(settings, "SUYUAN_PRIVATE_MEDIA_ROOT", "")
    return (
        Path(configured) if configured else Path(settings.MEDIA_ROOT).parent / "private"
    )


@deconstructible(path="trace.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """A file system storage without URLs, rooted at the private media root."""

    @property
    def base_location(self) -> str:
        return str(private_media_root())

    @property
    def location(self) -> str:
        return str(private_media_root().resolve())

    @property
    def base_url(self) -> None:
        return None

    def url(self, name: str) -> str:
        raise ValueError("Private files have no URL; serve them through a view.")
