"""Project-level pages that gather several apps (apps themselves never import each other upwards)."""

from django.shortcuts import render

from kenes.councils.selectors import national_summary


def home(request):
    return render(request, "home.html", {"summary": national_summary()})
