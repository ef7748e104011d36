"""The ledger's arithmetic: exact Decimal totals, days in local time, reconciliation."""

from datetime import timedelta
from decimal import Decimal

import pytest

from depicta_web.generations.models import Generation
from depicta_web.spend import ledger
from depicta_web.spend.ledger import Filters, Period
from depicta_web.spend.models import BalanceObservation, TopUp

from .conftest import at, charge, in_flight

pytestmark = pytest.mark.django_db


def test_totals_are_exact_to_the_micro_euro_however_many_charges(alice):
    # Values a float sum gets wrong (0.1 + 0.2 ...), many times over.
    costs = ["0.100000", "0.200000", "0.000001", "0.045000", "0.333333"] * 200
    for cost in costs:
        charge(alice, cost)
    expected = sum((Decimal(c) for c in costs), Decimal(0))
    total = ledger.spend_total(Period.last_days(1))
    assert total == expected == Decimal("135.666800")
    assert str(total) == "135.666800"
    assert isinstance(total, Decimal)


def test_spend_today_7_and_30_days_count_each_charge_by_its_local_day(alice):
    charge(alice, "0.045000", when=at(0))
    charge(alice, "0.060000", when=at(6, hour=23, minute=59))
    charge(alice, "0.080000", when=at(7))  # outside the last 7 days
    charge(alice, "1.000000", when=at(30))  # outside the last 30 days
    assert ledger.spend_total(Period.last_days(1)) == Decimal("0.045000")
    assert ledger.spend_total(Period.last_days(7)) == Decimal("0.105000")
    assert ledger.spend_total(Period.last_days(30)) == Decimal("0.185000")


def test_failed_and_in_flight_generations_are_not_charges(alice):
    charge(alice, "0.045000")
    in_flight(alice, "0.060000")
    in_flight(alice, "0.060000", status=Generation.Status.FAILED)
    assert ledger.spend_total(Period.last_days(1)) == Decimal("0.045000")


def test_days_follow_the_servers_time_zone(settings, alice):
    settings.TIME_ZONE = "Europe/Berlin"
    from django.utils import timezone

    with timezone.override("Europe/Berlin"):
        charge(alice, "0.010000", when=at(0, hour=0, minute=30))  # 23:30 UTC the day before
        daily = ledger.spend_by_day(Period.last_days(2))
        today = timezone.localdate()
        assert daily.amount(today, "flux-pro") == Decimal("0.010000")
        assert daily.amount(today - timedelta(days=1), "flux-pro") == Decimal("0")


def test_by_person_and_by_model_tables_count_and_total(alice, bob):
    charge(alice, "0.045000", model="flux-pro")
    charge(alice, "0.045000", model="flux-pro")
    charge(alice, "0.010000", model="sdxl-lite")
    charge(bob, "0.060000", model="imagen-ultra")
    people = ledger.spend_by_person(Period.last_days(1))
    assert [(r.label, r.count, r.total) for r in people] == [
        ("alice", 3, Decimal("0.100000")),
        ("bob", 1, Decimal("0.060000")),
    ]
    models = ledger.spend_by_model(Period.last_days(1))
    assert [(r.label, r.count, r.total) for r in models] == [
        ("flux-pro", 2, Decimal("0.090000")),
        ("imagen-ultra", 1, Decimal("0.060000")),
        ("sdxl-lite", 1, Decimal("0.010000")),
    ]
    only_bob = ledger.spend_by_model(Period.last_days(1), Filters(author_id=bob.pk))
    assert [(r.label, r.total) for r in only_bob] == [("imagen-ultra", Decimal("0.060000"))]


def test_daily_spend_adds_up_to_the_period_total(alice, bob):
    charge(alice, "0.045000", when=at(0))
    charge(bob, "0.060000", when=at(0), model="imagen-ultra")
    charge(alice, "0.030000", when=at(3), model="seedream-4")
    daily = ledger.spend_by_day(Period.last_days(7))
    assert daily.series == ["imagen-ultra", "flux-pro", "seedream-4"]
    assert daily.day_total(at(0).date()) == Decimal("0.105000")
    assert daily.total == ledger.spend_total(Period.last_days(7)) == Decimal("0.135000")
    by_person = ledger.spend_by_day(Period.last_days(7), by="person")
    assert by_person.series == ["alice", "bob"]
    assert by_person.amount(at(0).date(), "alice") == Decimal("0.045000")


def test_burn_rate_and_days_left(alice):
    charge(alice, "0.700000", when=at(0))
    charge(alice, "0.700000", when=at(6))
    rate = ledger.burn_rate()
    assert rate == Decimal("0.200000")
    assert ledger.days_left(Decimal("3.000000"), rate) == Decimal("15.0")
    assert ledger.days_left(Decimal("3.000000"), Decimal("0")) is None


def test_the_latest_balance_seen_comes_from_a_response_or_an_observation(alice):
    charge(alice, "0.045000", when=at(0, hour=1), balance="9.955000")
    assert ledger.balance_current().amount == Decimal("9.955000")
    BalanceObservation.objects.create(
        amount_eur=Decimal("9.900000"), observed_at=at(0, hour=2), source="sync"
    )
    seen = ledger.balance_current()
    assert (seen.amount, seen.source) == (Decimal("9.900000"), "sync")


def test_answers_arriving_out_of_order_still_give_the_lowest_balance(alice):
    """Two charges settled a moment apart; the answer of the later one arrived first."""
    charge(alice, "0.045000", when=at(0, hour=1), balance="9.910000")  # settled second
    charge(alice, "0.045000", when=at(0, hour=1) + timedelta(seconds=0.3), balance="9.955000")
    assert ledger.balance_current().amount == Decimal("9.910000")


def test_a_top_up_seen_between_close_answers_is_not_undone(alice):
    charge(alice, "0.045000", when=at(0, hour=1), balance="0.100000")
    BalanceObservation.objects.create(
        amount_eur=Decimal("20.100000"),
        observed_at=at(0, hour=1) + timedelta(seconds=1),
        source="manual",
    )
    charge(alice, "0.045000", when=at(0, hour=1) + timedelta(seconds=2), balance="20.055000")
    assert ledger.balance_current().amount == Decimal("20.055000")


def test_reconciliation_is_even_when_charges_and_top_ups_explain_the_balance(alice):
    charge(alice, "0.045000", when=at(2), balance="10.000000")  # opening, before the period
    charge(alice, "0.045000", when=at(1), balance="9.955000")
    TopUp.objects.create(amount_eur=Decimal("5.000000"), paid_at=at(1, hour=3))
    charge(alice, "0.060000", when=at(0), balance="14.895000")
    result = ledger.reconciliation(Period.last_days(2))
    assert result.opening.amount == Decimal("10.000000")
    assert result.closing.amount == Decimal("14.895000")
    assert result.charges_total == Decimal("0.105000")
    assert result.charges_count == 2
    assert result.topups_total == Decimal("5.000000")
    assert result.observed_change == Decimal("4.895000")
    assert result.expected_change == Decimal("4.895000")
    assert result.difference == Decimal("0.000000")


def test_reconciliation_shows_a_difference_the_records_do_not_explain(alice):
    charge(alice, "0.045000", when=at(1), balance="10.000000")
    # Someone used the key elsewhere for 0.120000: the next balance is lower than ours explain.
    charge(alice, "0.045000", when=at(0), balance="9.835000")
    result = ledger.reconciliation(Period.last_days(2))
    assert result.charges_total == Decimal("0.045000")
    assert result.observed_change == Decimal("-0.165000")
    assert result.difference == Decimal("-0.120000")


def test_reconciliation_needs_two_observations(alice):
    charge(alice, "0.045000", when=at(0), balance="10.000000")
    result = ledger.reconciliation(Period.last_days(1))
    assert not result.complete
    assert result.difference is None


def test_the_ledger_lists_holds_charges_balances_and_top_ups_in_order(alice):
    charge(alice, "0.041000", hold="0.045000", when=at(0, hour=1), balance="9.959000")
    TopUp.objects.create(amount_eur=Decimal("5.000000"), paid_at=at(0, hour=2), note="invoice 7")
    BalanceObservation.objects.create(
        amount_eur=Decimal("14.959000"), observed_at=at(0, hour=3), source="manual"
    )
    lines = ledger.ledger_lines(Period.last_days(1))
    assert [line.kind for line in lines] == ["charge", "top-up", "balance"]
    first = lines[0]
    assert (first.hold, first.charge, first.balance) == (
        Decimal("0.045000"),
        Decimal("0.041000"),
        Decimal("9.959000"),
    )
    assert lines[1].topup == Decimal("5.000000")
    assert lines[1].note == "invoice 7"
