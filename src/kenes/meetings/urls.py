from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("mine/", views.my_calendar, name="mine"),
    path("council/<slug:code>/", views.council_calendar, name="council"),
    path("council/<slug:code>/add/", views.meeting_add, name="add"),
    path("series/", views.series_list, name="series_list"),
    path("series/add/", views.series_add, name="series_add"),
    path("series/<int:pk>/", views.series_detail, name="series_detail"),
    path("feeds/council/<slug:code>.ics", views.council_feed, name="council_feed"),
    path("feeds/series/<int:pk>.ics", views.series_feed, name="series_feed"),
    path("feeds/user/<str:token>.ics", views.user_feed, name="user_feed"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/manage/", views.meeting_manage, name="manage"),
    path("<int:pk>/propose/", views.propose_item, name="propose"),
    path("<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
]
