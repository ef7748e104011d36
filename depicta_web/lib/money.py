"""Money: its step (6 places, as Depicta sends it), its column, and how a single image's price
reads (two to four decimals: €0.10, €0.045, €0.1148)."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Final, TypedDict


class MoneyColumn(TypedDict):
    max_digits: int
    decimal_places: int


# Depicta's money: EUR strings with 6 decimals ("0.045000"), kept exactly, never as floats.
MONEY_PLACES = Decimal("0.000001")
# Every money column: 6 places, up to 99 million euros.
MONEY_FIELD: Final[MoneyColumn] = {"max_digits": 14, "decimal_places": 6}
PRICE_PLACES = Decimal("0.0001")
CENTS = Decimal("0.01")


def price_text(amount: Decimal) -> str:
    shown = amount.quantize(PRICE_PLACES, rounding=ROUND_HALF_UP).normalize()
    exponent = shown.as_tuple().exponent
    if not isinstance(exponent, int) or exponent > -2:
        shown = shown.quantize(CENTS)  # never below cents: €0.10, not €0.1
    return f"€{shown:f}"
