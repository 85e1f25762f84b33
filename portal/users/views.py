"""User pages for Admins: list, create (or invite), role, (de)activation, password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.roles import admin_required
from portal.users import services
from portal.users.forms import UserCreateForm, UserPasswordForm, UserRoleForm


def invite_url(request: HttpRequest, user: User) -> str:
    """A one-use link with which `user` chooses a password (Django's reset token)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("invite", args=[uid, default_token_generator.make_token(user)])
    return request.build_absolute_uri(path)


@require_GET
@admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.prefetch_related("groups").order_by("username")
    rows = [{"user": u, "role": services.user_role(u)} for u in users]
    return render(request, "portal/user_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@admin_required
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_create(actor=request.user, username=data["username"], email=data["email"],
                                    role=data["role"], password=data["password"] or None)
        if data["password"]:
            messages.success(request, f"Created user “{user.username}”.")
        else:
            messages.success(request, f"Created user “{user.username}”. Send them this invite link to choose a password: {invite_url(request, user)}")
        return redirect("users:user-detail", pk=user.pk)
    return render(request, "portal/user_form.html", {"form": form})


def _detail(request: HttpRequest, user: User, *, role_form=None, password_form=None, status: int = 200) -> HttpResponse:
    context = {
        "subject": user,
        "role": services.user_role(user),
        "role_form": role_form or UserRoleForm(initial={"role": services.user_role(user)}),
        "password_form": password_form or UserPasswordForm(user=user),
    }
    return render(request, "portal/user_detail.html", context, status=status)


@require_GET
@admin_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(User, pk=pk))


@require_POST
@admin_required
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = UserRoleForm(request.POST)
    if not form.is_valid():
        return _detail(request, user, role_form=form, status=400)
    try:
        services.user_set_role(actor=request.user, user=user, role=form.cleaned_data["role"])
    except services.LastAdminError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Role of “{user.username}” is now {form.cleaned_data['role'] or 'none'}.")
    return redirect("users:user-detail", pk=user.pk)


@require_POST
@admin_required
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=request.user, user=user, active=active)
    except services.LastAdminError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{user.username}” is {'active' if active else 'deactivated'}.")
    return redirect("users:user-detail", pk=user.pk)


@require_POST
@admin_required
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = UserPasswordForm(request.POST, user=user)
    if not form.is_valid():
        return _detail(request, user, password_form=form, status=400)
    services.user_set_password(actor=request.user, user=user, password=form.cleaned_data["password"])
    messages.success(request, f"Set a new password for “{user.username}”.")
    return redirect("users:user-detail", pk=user.pk)


@require_POST
@admin_required
def user_invite_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A fresh invite (password-reset) link, for a user who lost their password."""
    user = get_object_or_404(User, pk=pk)
    messages.success(request, f"Send “{user.username}” this link to choose a new password: {invite_url(request, user)}")
    return redirect("users:user-detail", pk=user.pk)
