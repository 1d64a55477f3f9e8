from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    path("tasks/body/", views.officer_tasks, name="officer_tasks"),
    path("tasks/council/", views.council_tasks, name="council_tasks"),
    path("<int:pk>/", views.detail, name="detail"),
    path("dispatch/<int:pk>/answer/", views.answer, name="answer"),
    path("commitment/<int:pk>/verify/", views.verify, name="verify"),
    path("<str:name>/<int:pk>/", views.action, name="action"),
]
