from django.shortcuts import render


def landing(request):
    """Explain Suyuan in two sentences and point to its doors."""
    return render(request, "trace/landing.html")
