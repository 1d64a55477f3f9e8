from django.urls import path

from . import views

app_name = "councils"

urlpatterns = [
    path("", views.council_list, name="list"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("export/", views.export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("<slug:code>/", views.council_detail, name="detail"),
    path("<slug:code>/manage/", views.workspace, name="workspace"),
    path("<slug:code>/manage/members/add/", views.membership_add, name="membership_add"),
    path("<slug:code>/manage/members/<int:pk>/", views.membership_edit, name="membership_edit"),
    path("<slug:code>/manage/members/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("<slug:code>/manage/commissions/add/", views.commission_edit, name="commission_add"),
    path("<slug:code>/manage/commissions/<int:pk>/", views.commission_edit, name="commission_edit"),
    path(
        "<slug:code>/manage/commissions/<int:pk>/delete/", views.commission_delete, name="commission_delete"
    ),
    path("<slug:code>/manage/order/", views.composition_order_upload, name="order_upload"),
]
