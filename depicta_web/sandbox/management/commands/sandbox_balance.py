"""`manage.py sandbox_balance [--key KEY]`: print a sandbox account's balance."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from depicta_web.depicta.schema import format_money

from ...accounts import account_for_key
from .sandbox_topup import sandbox_key


class Command(BaseCommand):
    help = "Print the balance of the sandbox account of a key (default: the app's key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key", help="a key from DEPICTA_SANDBOX_KEYS")

    def handle(self, *args: Any, **options: Any) -> None:
        account = account_for_key(sandbox_key(options["key"]))
        held = account.held_eur()
        self.stdout.write(
            f"{account.key_hint}: balance EUR {format_money(account.balance_eur)}, "
            f"held by running jobs EUR {format_money(held)}, "
            f"available EUR {format_money(account.balance_eur - held)}."
        )
