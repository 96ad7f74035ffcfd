from __future__ import annotations

from typing import Any

from django import forms

from paperex.apps.accounts.models import User


class SignupForm(forms.Form):
    """A new account: username and password twice (the service checks the password's strength)."""

    username = forms.RegexField(
        regex=r"^[\w.@+-]{3,150}$",
        max_length=150,
        error_messages={"invalid": "Use 3-150 letters, digits and @ . + - _ only."},
    )
    password = forms.CharField(widget=forms.PasswordInput, min_length=8)
    password_again = forms.CharField(widget=forms.PasswordInput, label="Password again")

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken.")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The passwords differ.")
        return data
