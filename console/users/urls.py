from django.urls import path

from console.users import views

app_name = "users"

urlpatterns = [
    path("", views.user_list, name="user-list"),
    path("add/", views.user_create, name="user-add"),
    path("<int:pk>/", views.user_detail, name="user-detail"),
    path("<int:pk>/role/", views.user_role, name="user-role"),
    path("<int:pk>/active/", views.user_active, name="user-active"),
    path("<int:pk>/password/", views.user_password, name="user-password"),
    path("<int:pk>/invite-link/", views.user_invite_link, name="user-invite-link"),
    path("<int:pk>/invite-email/", views.user_invite_email, name="user-invite-email"),
]
