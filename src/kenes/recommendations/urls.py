from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    path("awaiting/", views.awaiting, name="awaiting"),
    path("scoreboard/", views.scoreboard, name="scoreboard"),
    path("scoreboard/export.<str:fmt>", views.scoreboard_export, name="scoreboard_export"),
    path("accountability/<str:scope>/<str:code>/", views.scope_page, name="scope"),
    path(
        "accountability/<str:scope>/<str:code>/<str:kind>.<str:fmt>",
        views.scope_export,
        name="scope_export",
    ),
    path("tasks/body/", views.officer_tasks, name="officer_tasks"),
    path("tasks/council/", views.council_tasks, name="council_tasks"),
    path("<int:pk>/", views.detail, name="detail"),
    path("dispatch/<int:pk>/answer/", views.answer, name="answer"),
    path("commitment/<int:pk>/verify/", views.verify, name="verify"),
    path("<str:name>/<int:pk>/", views.action, name="action"),
]
