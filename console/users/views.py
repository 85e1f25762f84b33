"""User pages for Admins: list, create (or invite), role, (de)activation, password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console import selectors
from console.users import services
from console.users.forms import UserCreateForm, UserPasswordForm, UserRoleForm
from core import credentials
from core.changelist import ChangelistSpec, Column, FilterForm
from portal.roles import admin_required


def invite_url(request: HttpRequest, user: User) -> str:
    """A one-use link with which `user` chooses a password (Django's reset token); issuing it is audited."""
    services.user_invite_link_issued(actor=request.user, user=user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("invite", args=[uid, default_token_generator.make_token(user)])
    return request.build_absolute_uri(path)


class UserSearchForm(FilterForm):
    search_fields = ["username", "email"]


#: The portal's logins, by username, 50 a page, searchable by username or email.
USERS = ChangelistSpec(template="console/user_list.html", queryset=selectors.users_with_groups, form_class=UserSearchForm,
                       columns=[Column("username", "Username", "username"), Column("email", "Email", "email")],
                       default_sort="username")


@require_GET
@admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    cl = USERS.changelist(request)
    roles = {u.pk: services.user_role(u) for u in cl.page.object_list}
    return USERS.page(request, {"roles": roles, "pending": services.pending_invites()}, cl=cl)


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
            messages.success(request, f"Created user “{user.username}”. Copy or email them the invite link below.")
            _hand_over(request, user)
        return redirect("users:user-detail", pk=user.pk)
    return render(request, "console/user_form.html", {"form": form})


def _hand_over(request: HttpRequest, user: User) -> None:
    """Keep a fresh invite link for the user's page to show once (with Copy and Email)."""
    request.session[f"invite-link:{user.pk}"] = invite_url(request, user)


def _detail(request: HttpRequest, user: User, *, role_form=None, password_form=None, status: int = 200) -> HttpResponse:
    context = {
        "invite_link": request.session.pop(f"invite-link:{user.pk}", ""),
        "role_descriptions": services.ROLE_DESCRIPTIONS,
        "subject": user,
        "role": services.user_role(user),
        "role_form": role_form or UserRoleForm(initial={"role": services.user_role(user)}),
        "password_form": password_form or UserPasswordForm(user=user),
    }
    return render(request, "console/user_detail.html", context, status=status)


@require_GET
@admin_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(User, pk=pk))


def _change(request: HttpRequest, pk: int, *, form_class=None, form_kwargs=None, context_key: str = "",
            apply, done) -> HttpResponse:
    """One change on a user's page: an invalid form shows the page again with its errors; a change
    refused because it would leave no active Admin is a message; otherwise `done(user, data)` is."""
    user = get_object_or_404(User, pk=pk)
    data: dict = {}
    if form_class is not None:
        form = form_class(request.POST, **(form_kwargs(user) if form_kwargs else {}))
        if not form.is_valid():
            return _detail(request, user, status=400, **{context_key: form})
        data = form.cleaned_data
    try:
        apply(user, data)
    except services.LastAdminError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done(user, data))
    return redirect("users:user-detail", pk=user.pk)


@require_POST
@admin_required
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    return _change(
        request, pk, form_class=UserRoleForm, context_key="role_form",
        apply=lambda user, data: services.user_set_role(actor=request.user, user=user, role=data["role"]),
        done=lambda user, data: f"Role of “{user.username}” is now {data['role'] or 'none'}.")


@require_POST
@admin_required
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    return _change(
        request, pk,
        apply=lambda user, data: services.user_set_active(actor=request.user, user=user, active=active),
        done=lambda user, data: f"“{user.username}” is {'active' if active else 'deactivated'}.")


@require_POST
@admin_required
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    return _change(
        request, pk, form_class=UserPasswordForm, form_kwargs=lambda user: {"user": user}, context_key="password_form",
        apply=lambda user, data: services.user_set_password(actor=request.user, user=user, password=data["password"]),
        done=lambda user, data: f"Set a new password for “{user.username}”.")


@require_POST
@admin_required
def user_invite_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A fresh invite (password-reset) link, for a user who lost their password."""
    user = get_object_or_404(User, pk=pk)
    messages.success(request, f"A new link for “{user.username}” to choose a password: copy or email it below.")
    _hand_over(request, user)
    return redirect("users:user-detail", pk=user.pk)


@require_POST
@admin_required
def user_invite_email(request: HttpRequest, pk: int) -> HttpResponse:
    """Email the user a fresh invite link (the page shows it too, to copy)."""
    user = get_object_or_404(User, pk=pk)
    if not user.email:
        messages.error(request, f"“{user.username}” has no email address: copy the link instead.")
    else:
        services.user_email_invite(actor=request.user, user=user, link=invite_url(request, user))
        messages.success(request, f"Emailed an invite link to {user.email}.")
    return redirect("users:user-detail", pk=user.pk)


class InviteConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset view (it checks the token); choosing the password through it is audited."""

    def form_valid(self, form):
        response = super().form_valid(form)
        credentials.link_used(user=form.user)
        return response
