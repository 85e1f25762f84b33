from django.urls import path

from portal.users import views

app_name = "users"

urlpatterns = [
    path("", views.user_list, name="list"),
    path("add/", views.user_create, name="add"),
    path("<int:pk>/", views.user_detail, name="detail"),
    path("<int:pk>/role/", views.user_role, name="role"),
    path("<int:pk>/active/", views.user_active, name="active"),
    path("<int:pk>/password/", views.user_password, name="password"),
    path("<int:pk>/invite-link/", views.user_invite_link, name="invite-link"),
]
