from django.http import HttpRequest

from .ledger import balance_current
from .selectors import SpendWarnings, spend_warnings_for


def balance(request: HttpRequest) -> dict:
    # A callable: templates call it only when they show the balance, so the poll
    # fragments, which do not, cost no query.
    return {"depicta_balance": balance_current}


def spend_warnings(request: HttpRequest) -> dict:
    # A callable, like the header's balance: only pages that show the banner pay its queries.
    def warnings() -> SpendWarnings | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return spend_warnings_for(user)

    return {"spend_warnings": warnings}
