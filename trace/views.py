from django.apps import apps
from django.shortcuts import render


def landing(request):
    """Explain Suyuan in two sentences and point to its doors."""
    # The demo scan needs labels; trace only asks whether it is installed.
    return render(
        request, "trace/landing.html", {"demo_scan": apps.is_installed("labels")}
    )
