from django.http import HttpRequest

from .selectors import balance_latest


def balance(request: HttpRequest) -> dict:
    # A callable: templates call it only when they show the balance, so the poll
    # fragments, which do not, cost no query.
    return {"depicta_balance": balance_latest}
