from django.shortcuts import render

from .selectors import site_search


def search(request):
    query = request.GET.get("q", "")[:200]
    return render(
        request, "search/results.html", {"query": query, "hits": site_search(query) if query else []}
    )
