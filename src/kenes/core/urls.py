from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("account/preferences/", views.preferences, name="preferences"),
    path("regions/", views.region_list, name="region_list"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("language/", views.set_language, name="set_language"),
]
