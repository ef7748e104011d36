"""The filters every spend table shares, and the admins' inputs."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

from depicta_web.lib.bounds import LARGEST_ID, day_is_countable, days_allowed

from .ledger import Filters, Period
from .models import PersonBudget, SpendSettings, TopUp

PERIOD_CHOICES = [("1", "Today"), ("7", "7 days"), ("30", "30 days"), ("90", "90 days")]
SPLIT_CHOICES = [("model", "By model"), ("person", "By person")]
MAX_DAYS = 366


class SpendFilterForm(forms.Form):
    """GET parameters: `days` (or `first`..`last`), `model`, `author`, `by` (chart split)."""

    days = forms.TypedChoiceField(choices=PERIOD_CHOICES, coerce=int, required=False)
    first = forms.DateField(required=False)
    last = forms.DateField(required=False)
    model = forms.CharField(required=False, max_length=100)
    author = forms.IntegerField(required=False, min_value=1)
    by = forms.ChoiceField(choices=SPLIT_CHOICES, required=False)

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        first, last = cleaned.get("first"), cleaned.get("last")
        # Form-wide errors: the filter bar shows those (and the page falls back to 30 days).
        if not all(day_is_countable(day) for day in (first, last) if day):
            raise forms.ValidationError(f"Choose days {days_allowed()}.")
        if (cleaned.get("author") or 0) > LARGEST_ID:
            raise forms.ValidationError("There is nobody with so large a number.")
        if first or last:
            last = last or timezone.localdate()
            first = first or last
            if first > last:
                raise forms.ValidationError("The first day must not be after the last day.")
            if (last - first).days >= MAX_DAYS:
                raise forms.ValidationError(f"Choose at most {MAX_DAYS} days.")
            cleaned["first"], cleaned["last"] = first, last
        return cleaned

    def _value(self, name: str):
        return self.cleaned_data.get(name) if self.is_valid() else None

    @property
    def period(self) -> Period:
        first, last = self._value("first"), self._value("last")
        if first and last:
            return Period(first=first, last=last)
        return Period.last_days(self._value("days") or 30)

    @property
    def filters(self) -> Filters:
        return Filters(model=self._value("model") or "", author_id=self._value("author"))

    @property
    def split(self) -> str:
        return self._value("by") or "model"


class TopUpForm(forms.ModelForm):
    balance_after = forms.DecimalField(
        max_digits=14,
        decimal_places=6,
        required=False,
        min_value=Decimal(0),
        label="Balance after the top-up (optional)",
        help_text="As Depicta's dashboard shows it; recorded as an observed balance.",
    )

    class Meta:
        model = TopUp
        fields = ["amount_eur", "paid_at", "note"]
        labels = {"amount_eur": "Amount (EUR)", "paid_at": "Paid at"}
        widgets = {"paid_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def clean_amount_eur(self) -> Decimal:
        amount = self.cleaned_data["amount_eur"]
        if amount <= 0:
            raise forms.ValidationError("A top-up is a positive amount.")
        return amount


class SpendSettingsForm(forms.ModelForm):
    class Meta:
        model = SpendSettings
        fields = ["team_monthly_limit_eur", "low_balance_eur", "near_budget_percent"]
        labels = {
            "team_monthly_limit_eur": "Team budget per month (EUR)",
            "low_balance_eur": "Warn everyone when the balance is under (EUR)",
            "near_budget_percent": "Tell admins when a budget is used to (%)",
        }

    def clean_near_budget_percent(self) -> int:
        value = self.cleaned_data["near_budget_percent"]
        if not 1 <= value <= 100:
            raise forms.ValidationError("Between 1 and 100.")
        return value


class PersonBudgetForm(forms.Form):
    user: forms.ModelChoiceField[AbstractBaseUser] = forms.ModelChoiceField(
        queryset=None, label="Person"
    )
    monthly_limit_eur = forms.DecimalField(
        max_digits=14,
        decimal_places=6,
        min_value=Decimal(0),
        required=False,
        label="Budget per month (EUR)",
        help_text="Leave empty to remove the person's budget.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("username")
        )

    def save(self, *, by) -> PersonBudget | None:
        user, limit = self.cleaned_data["user"], self.cleaned_data["monthly_limit_eur"]
        if limit is None:
            PersonBudget.objects.filter(user=user).delete()
            return None
        budget, _ = PersonBudget.objects.update_or_create(
            user=user, defaults={"monthly_limit_eur": limit, "set_by": by}
        )
        return budget
