from decimal import Decimal

from django import template

from depicta_web.lib.money import MONEY_PLACES

register = template.Library()
MINUS = "\N{MINUS SIGN}"


@register.filter
def eur(value: Decimal | None) -> str:
    """A Decimal amount as shown on the spend screens: all 6 places, a real minus sign."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(MONEY_PLACES)
    return f"{MINUS}€{-amount}" if amount < 0 else f"€{amount}"
