"""How a single image's price reads: euros with two to four decimals (€0.10, €0.045, €0.1148)."""

from decimal import ROUND_HALF_UP, Decimal

PRICE_PLACES = Decimal("0.0001")
CENTS = Decimal("0.01")


def price_text(amount: Decimal) -> str:
    shown = amount.quantize(PRICE_PLACES, rounding=ROUND_HALF_UP).normalize()
    exponent = shown.as_tuple().exponent
    if not isinstance(exponent, int) or exponent > -2:
        shown = shown.quantize(CENTS)  # never below cents: €0.10, not €0.1
    return f"€{shown:f}"
