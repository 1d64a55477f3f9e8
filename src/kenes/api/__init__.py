"""The public API: `/api/v1/`, assembled from the routers of the apps (each app's ``api.py``)."""
