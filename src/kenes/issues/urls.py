from django.urls import path

from . import views

app_name = "issues"

urlpatterns = [
    path("issues/", views.issue_list, name="list"),
    path("issues/similar/", views.similar, name="similar"),
    path("issues/council/<slug:code>/new/", views.issue_file, name="file"),
    path("issues/council/<slug:code>/submit/", views.issue_submit, name="submit"),
    path("issues/council/<slug:code>/moderation/", views.moderation, name="moderation"),
    path("issues/track/<str:token>/", views.issue_track, name="track"),
    path("issues/<int:pk>/", views.issue_detail, name="detail"),
    path("issues/<int:pk>/transition/", views.issue_transition, name="transition"),
    path("issues/<int:pk>/support/", views.issue_support, name="support"),
    path("issues/<int:pk>/link/", views.issue_link, name="link"),
    path("issues/<int:pk>/links/<int:link_pk>/delete/", views.issue_unlink, name="unlink"),
    path("issues/<int:pk>/attachments/", views.attachment_add, name="attach"),
    path("issues/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("problems/", views.problem_list, name="problems"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
]
