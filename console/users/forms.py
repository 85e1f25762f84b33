"""Forms of the user pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import User

from console.users.services import ROLES

ROLE_CHOICES = [("", "No role"), *[(r, r) for r in ROLES]]


class UserCreateForm(forms.Form):
    username = forms.CharField(max_length=150, validators=[User.username_validator])
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="Viewer")
    password = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=True),
        help_text="Leave empty to get an invite link the user opens to choose their own password.",
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A user with this username already exists.")
        return username

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            try:
                password_validation.validate_password(password, User(username=cleaned.get("username", "")))
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES, required=False)


class UserPasswordForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, label="New password")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, self.user)
        return password
