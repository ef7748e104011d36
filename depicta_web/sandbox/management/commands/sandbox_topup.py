"""`manage.py sandbox_topup --amount 10 [--key KEY]`: add credit to a sandbox account."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from depicta_web.depicta.schema import format_money

from ...accounts import account_for_key, key_is_accepted
from ...credits import credit_topup


def sandbox_key(key: str | None) -> str:
    """The key named, or the app's default (the first of DEPICTA_SANDBOX_KEYS)."""
    if key is None:
        if not settings.DEPICTA_SANDBOX_KEYS:
            raise CommandError("DEPICTA_SANDBOX_KEYS is empty")
        return settings.DEPICTA_SANDBOX_KEYS[0]
    if not key_is_accepted(key):
        raise CommandError("That key is not one of DEPICTA_SANDBOX_KEYS.")
    return key


class Command(BaseCommand):
    help = "Add credit (EUR) to the sandbox account of a key (default: the app's key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--amount", required=True, help="EUR to add, e.g. 10 or 2.50")
        parser.add_argument("--key", help="a key from DEPICTA_SANDBOX_KEYS")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            amount = Decimal(options["amount"])
        except InvalidOperation:
            raise CommandError(f"--amount must be a number, not {options['amount']!r}") from None
        if not amount.is_finite() or amount <= 0:
            raise CommandError("--amount must be more than 0")
        account = account_for_key(sandbox_key(options["key"]))
        balance = credit_topup(account=account, amount=amount)
        self.stdout.write(
            f"Added EUR {format_money(amount)} to {account.key_hint}: "
            f"balance EUR {format_money(balance)}."
        )
