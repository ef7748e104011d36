"""The spend ledger, read from where each fact already lives.

- A **charge** is a generation with a `cost_eur` (Depicta's actual charge, dated by
  `responded_at`); its `estimated_cost_eur` is the hold estimated at submit.
- An **observed balance** is a generation's `balance_eur` (what Depicta reported with the
  charge) or a `BalanceObservation` (sync now, or typed in).
- A **top-up** is a `TopUp` note.

Money is summed in whole micro-euros (integers) in the database, so a total is exact on SQLite,
which stores decimals as floating point, as well as on PostgreSQL. Days are the server's
TIME_ZONE calendar days.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import BigIntegerField, CharField, Count, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Round, TruncDate
from django.utils import timezone

from depicta_web.depicta import DepictaError
from depicta_web.depicta.configured import depicta_client
from depicta_web.generations.models import Generation
from depicta_web.lib.money import MONEY_PLACES

from .models import BalanceObservation, TopUp

ZERO = Decimal(0).quantize(MONEY_PLACES)
MICRO = 1_000_000


def money(value: Decimal | int | None) -> Decimal:
    return (Decimal(value) if value is not None else ZERO).quantize(MONEY_PLACES)


def micro_sum(field_name: str, *, only: Q | None = None) -> Sum:
    """SUM of a 6-place money column as an exact integer of micro-euros."""
    return Sum(Cast(Round(F(field_name) * MICRO), BigIntegerField()), filter=only)


def euros(micros: int | None) -> Decimal:
    return Decimal(micros or 0).scaleb(-6).quantize(MONEY_PLACES)


# --- periods -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """Local calendar days `first`..`last`, both included."""

    first: date
    last: date

    @classmethod
    def last_days(cls, days: int, *, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(first=today - timedelta(days=days - 1), last=today)

    @classmethod
    def month_of(cls, day: date) -> Period:
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(first=first, last=following - timedelta(days=1))

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def __len__(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Filters:
    """What narrows the charges of a period: one model, one person, one day."""

    model: str = ""
    author_id: int | None = None


# --- charges -----------------------------------------------------------------------------------
def charges(period: Period, filters: Filters | None = None) -> QuerySet[Generation]:
    filters = filters or Filters()
    rows = Generation.objects.exclude(cost_eur=None).filter(
        responded_at__gte=period.start, responded_at__lt=period.end
    )
    if filters.model:
        rows = rows.filter(model=filters.model)
    if filters.author_id is not None:
        rows = rows.filter(author_id=filters.author_id)
    return rows


def spend_total(period: Period, filters: Filters | None = None) -> Decimal:
    return euros(charges(period, filters).aggregate(total=micro_sum("cost_eur"))["total"])


@dataclass(frozen=True)
class SpendRow:
    key: str
    label: str
    count: int
    total: Decimal
    author_id: int | None = None


def spend_by_person(period: Period, filters: Filters | None = None) -> list[SpendRow]:
    rows = (
        charges(period, filters)
        .values("author_id", "author__username")
        .annotate(count=Count("pk"), total=micro_sum("cost_eur"))
        .order_by("-total", "author__username")
    )
    return [
        SpendRow(
            key=r["author__username"],
            label=r["author__username"],
            count=r["count"],
            total=euros(r["total"]),
            author_id=r["author_id"],
        )
        for r in rows
    ]


def spend_by_model(period: Period, filters: Filters | None = None) -> list[SpendRow]:
    rows = (
        charges(period, filters)
        .values("model")
        .annotate(count=Count("pk"), total=micro_sum("cost_eur"))
        .order_by("-total", "model")
    )
    return [
        SpendRow(key=r["model"], label=r["model"], count=r["count"], total=euros(r["total"]))
        for r in rows
    ]


@dataclass(frozen=True)
class DailySpend:
    """Spend per day and per series (a model or a person): the chart's numbers."""

    period: Period
    series: list[str]
    cells: dict[date, dict[str, Decimal]] = field(default_factory=dict)

    def amount(self, day: date, series: str) -> Decimal:
        return self.cells.get(day, {}).get(series, ZERO)

    def day_total(self, day: date) -> Decimal:
        return money(sum(self.cells.get(day, {}).values(), ZERO))

    @property
    def total(self) -> Decimal:
        return money(sum((self.day_total(d) for d in self.period.days), ZERO))

    @property
    def peak(self) -> Decimal:
        return max((self.day_total(d) for d in self.period.days), default=ZERO)


def spend_by_day(
    period: Period, *, by: str = "model", filters: Filters | None = None
) -> DailySpend:
    key = "author__username" if by == "person" else "model"
    rows = (
        charges(period, filters)
        .annotate(day=TruncDate("responded_at", tzinfo=timezone.get_current_timezone()))
        .values("day", key)
        .annotate(total=micro_sum("cost_eur"))
        .order_by("day", key)
    )
    cells: dict[date, dict[str, Decimal]] = defaultdict(dict)
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        amount = euros(r["total"])
        cells[r["day"]][r[key]] = amount
        totals[r[key]] += amount
    series = sorted(totals, key=lambda s: (-totals[s], s))
    return DailySpend(period=period, series=series, cells=dict(cells))


def generations_expensive(
    period: Period,
    filters: Filters | None = None,
    limit: int = 10,
) -> list[Generation]:
    rows = charges(period, filters).select_related("author")
    return list(rows.order_by("-cost_eur", "-responded_at")[:limit])


def burn_rate(*, days: int = 7, today: date | None = None) -> Decimal:
    """Average spend per day over the last `days` days, today included."""
    total = spend_total(Period.last_days(days, today=today))
    return (total / days).quantize(MONEY_PLACES)


def days_left(balance: Decimal | None, rate: Decimal) -> Decimal | None:
    if balance is None or rate <= 0:
        return None
    return (balance / rate).quantize(Decimal("0.1"))


# --- observed balances -------------------------------------------------------------------------
@dataclass(frozen=True)
class BalancePoint:
    amount: Decimal
    observed_at: datetime
    source: str  # "response", "sync" or "manual"
    generation_id: str = ""
    job_id: str = ""
    note: str = ""
    held: Decimal | None = None  # known from a sync only


def _response_points(rows: QuerySet[Generation]) -> list[BalancePoint]:
    return [
        BalancePoint(
            amount=money(amount),
            observed_at=at,
            source="response",
            generation_id=str(pk),
            job_id=job_id,
        )
        for amount, at, pk, job_id in rows.values_list(
            "balance_eur", "responded_at", "pk", "job_id"
        )
        if at is not None  # always set on a response (_responses); narrows the type
    ]


def _observation_points(rows: QuerySet[BalanceObservation]) -> list[BalancePoint]:
    return [
        BalancePoint(
            amount=money(o.amount_eur),
            observed_at=o.observed_at,
            source=o.source,
            job_id=o.job_id,
            note=o.note,
            held=None if o.held_eur is None else money(o.held_eur),
        )
        for o in rows
    ]


def _responses() -> QuerySet[Generation]:
    return Generation.objects.exclude(balance_eur=None).exclude(responded_at=None)


# Answers to concurrent requests can arrive in another order than Depicta charged them.
BALANCE_CLOSE_CALLS = timedelta(seconds=10)


def balance_current() -> BalancePoint | None:
    """The most recent balance seen, from a generation response or an observation.

    Among answers within a few seconds of the newest, the lowest balance is the later one:
    only a top-up raises it, and a charge settled a moment later reports less. One query (a
    UNION) on most pages; a second only when the newest is an answer."""
    responses = _responses().values_list(
        "balance_eur", "responded_at", Value("response"), Cast("pk", CharField()), "job_id"
    )
    observations = BalanceObservation.objects.values_list(
        "amount_eur", "observed_at", "source", Value(""), "job_id"
    )
    row = (
        responses.order_by()
        .union(observations.order_by(), all=True)
        .order_by("-responded_at")
        .first()
    )
    if row is None:
        return None
    amount, observed_at, source, generation_id, job_id = row
    if source == "response":
        since = observed_at - BALANCE_CLOSE_CALLS
        observed = BalanceObservation.objects.filter(observed_at__gte=since)
        since = observed.aggregate(last=Max("observed_at"))["last"] or since
        close = (
            _responses()
            .filter(responded_at__gte=since)
            .order_by("balance_eur", "-responded_at")
            .values_list("balance_eur", Cast("pk", CharField()), "job_id")
            .first()
        )
        amount, generation_id, job_id = close or (amount, generation_id, job_id)
    return BalancePoint(
        amount=money(amount),
        observed_at=observed_at,
        source=source,
        generation_id=generation_id,
        job_id=job_id,
    )


def balances_observed(period: Period) -> list[BalancePoint]:
    window = {"responded_at__gte": period.start, "responded_at__lt": period.end}
    points = _response_points(_responses().filter(**window))
    points += _observation_points(
        BalanceObservation.objects.filter(observed_at__gte=period.start, observed_at__lt=period.end)
    )
    return sorted(points, key=lambda p: p.observed_at)


def _balance_at_or_before(moment: datetime) -> BalancePoint | None:
    candidates = _response_points(
        _responses().filter(responded_at__lte=moment).order_by("-responded_at")[:1]
    )
    candidates += _observation_points(
        BalanceObservation.objects.filter(observed_at__lte=moment).order_by("-observed_at")[:1]
    )
    return max(candidates, key=lambda p: p.observed_at, default=None)


def topups(period: Period) -> QuerySet[TopUp]:
    return TopUp.objects.filter(paid_at__gte=period.start, paid_at__lt=period.end)


# --- reconciliation ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Reconciliation:
    """Recorded charges and top-ups against the change in observed balance.

    Between the opening and the closing observation the balance should change by exactly
    top-ups - charges; `difference` is what the records do not explain (charges made with the
    key elsewhere, a top-up not noted, a refund).
    """

    opening: BalancePoint | None
    closing: BalancePoint | None
    charges_total: Decimal
    charges_count: int
    topups_total: Decimal

    @property
    def complete(self) -> bool:
        return (
            self.opening is not None
            and self.closing is not None
            and self.closing.observed_at > self.opening.observed_at
        )

    @property
    def observed_change(self) -> Decimal | None:
        if self.opening is None or self.closing is None or not self.complete:
            return None
        return money(self.closing.amount - self.opening.amount)

    @property
    def expected_change(self) -> Decimal:
        return money(self.topups_total - self.charges_total)

    @property
    def difference(self) -> Decimal | None:
        observed = self.observed_change
        return None if observed is None else money(observed - self.expected_change)

    @property
    def held_change(self) -> Decimal:
        """How much more Depicta held for images in flight at the closing than the opening."""
        held = [point.held or ZERO for point in (self.opening, self.closing) if point]
        return money(held[-1] - held[0]) if len(held) == 2 else ZERO

    @property
    def explained_by_holds(self) -> bool:
        """The difference is exactly the change in holds: a balance that had open holds
        taken off (as Depicta's docs word it), against records of settled charges only."""
        difference = self.difference
        if not difference:
            return False
        return money(difference + self.held_change) == ZERO


def reconciliation(period: Period) -> Reconciliation:
    """Opening: the last balance seen before the period (else its first); closing: the last
    balance seen in it. Charges and top-ups counted strictly after the opening, up to and
    including the closing, so the opening's own charge is already in its balance."""
    opening = _balance_at_or_before(period.start)
    seen = balances_observed(period)
    if opening is None and seen:
        opening = seen[0]
    closing = seen[-1] if seen else None
    if opening is None or closing is None or closing.observed_at <= opening.observed_at:
        return Reconciliation(opening, closing, ZERO, 0, ZERO)
    after = Q(responded_at__gt=opening.observed_at, responded_at__lte=closing.observed_at)
    charged = (
        Generation.objects.exclude(cost_eur=None)
        .filter(after)
        .aggregate(total=micro_sum("cost_eur"), count=Count("pk"))
    )
    topped = TopUp.objects.filter(
        paid_at__gt=opening.observed_at, paid_at__lte=closing.observed_at
    ).aggregate(total=micro_sum("amount_eur"))
    return Reconciliation(
        opening=opening,
        closing=closing,
        charges_total=euros(charged["total"]),
        charges_count=charged["count"],
        topups_total=euros(topped["total"]),
    )


# --- the ledger --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LedgerLine:
    at: datetime
    kind: str  # "charge", "balance", "top-up"
    person: str = ""
    model: str = ""
    hold: Decimal | None = None
    charge: Decimal | None = None
    topup: Decimal | None = None
    balance: Decimal | None = None
    source: str = ""
    note: str = ""
    generation_id: str = ""


def ledger_lines(period: Period) -> list[LedgerLine]:
    """Every charge, observed balance and top-up of the period, oldest first."""
    lines = [
        LedgerLine(
            at=g.responded_at,
            kind="charge",
            person=g.author.username,
            model=g.model,
            hold=g.estimated_cost_eur,
            charge=g.cost_eur,
            balance=g.balance_eur,
            source="response",
            generation_id=str(g.pk),
        )
        for g in charges(period).select_related("author")
        if g.responded_at is not None  # always set on a charge (its period); narrows the type
    ]
    lines += [
        LedgerLine(at=p.observed_at, kind="balance", balance=p.amount, source=p.source, note=p.note)
        for p in balances_observed(period)
        if p.source != "response"  # a response's balance is on its charge line
    ]
    lines += [
        LedgerLine(at=t.paid_at, kind="top-up", topup=t.amount_eur, note=t.note, source="manual")
        for t in topups(period)
    ]
    return sorted(lines, key=lambda line: line.at)


# --- writes ------------------------------------------------------------------------------------
class SyncUnavailable(Exception):
    """The API was asked for the balance and gave none."""


def balance_sync(*, user) -> BalanceObservation:
    """Ask Depicta for the account's balance (GET /v1/account/profile) and record it, with
    what it holds for images in flight and when the credits expire. A sync that finds
    nothing changed since the last one (no charge recorded in between) records nothing."""
    try:
        with depicta_client() as client:
            profile = client.get_account_profile()
    except DepictaError as exc:
        raise SyncUnavailable(f"Depicta did not answer: {exc}") from exc
    if profile.balance_eur is None:
        raise SyncUnavailable("Depicta's account profile gave no balance.")
    seen = {
        "amount_eur": money(profile.balance_eur),
        "held_eur": money(profile.held_eur),
        "credits_expire_at": profile.credits_expire_at,
    }
    last = BalanceObservation.objects.filter(source=BalanceObservation.Source.SYNC).first()
    if last and _unchanged_since(last, seen):
        return last
    return BalanceObservation.objects.create(
        **seen,
        source=BalanceObservation.Source.SYNC,
        note="GET /v1/account/profile",
        recorded_by=user,
    )


def _unchanged_since(last: BalanceObservation, seen: dict) -> bool:
    same = all(getattr(last, name) == value for name, value in seen.items())
    return same and not _responses().filter(responded_at__gt=last.observed_at).exists()


def account_synced() -> BalanceObservation | None:
    """The latest sync: the account as Depicta last described it (held, expiry)."""
    return BalanceObservation.objects.filter(source=BalanceObservation.Source.SYNC).first()


def topup_record(
    *, user, amount: Decimal, paid_at: datetime, note: str = "", balance_after: Decimal | None
) -> TopUp:
    """A top-up noted by an admin; the balance shown after it, if given, is an observation."""
    topup = TopUp.objects.create(
        amount_eur=money(amount), paid_at=paid_at, note=note, recorded_by=user
    )
    if balance_after is not None:
        BalanceObservation.objects.create(
            amount_eur=money(balance_after),
            observed_at=paid_at + timedelta(microseconds=1),
            source=BalanceObservation.Source.MANUAL,
            note=f"After the top-up of €{topup.amount_eur}",
            recorded_by=user,
        )
    return topup
