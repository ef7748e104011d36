"""Monthly budgets, checked at submit before any API call.

What counts against a limit: this calendar month's charges plus the estimated cost (the hold)
of every generation still in flight. `budget_guard` is the studio's `guard` for
`generation_submit`: it runs inside that transaction, before the insert, and serialises against
other submits: on SQLite every transaction begins IMMEDIATE (it takes the write lock at once),
on PostgreSQL the spend settings row is locked with SELECT … FOR UPDATE. So two submits at
the same instant cannot both see room for one more image.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from depicta_web.generations.models import Generation
from depicta_web.generations.submitting import SubmitRefused

from .ledger import Period, euros, micro_sum, money
from .models import PersonBudget, SpendSettings


class BudgetExceeded(SubmitRefused):
    """The request would take a monthly spend over its limit; nothing was sent to Depicta."""


@dataclass(frozen=True)
class Committed:
    """A month's spend so far: charged, plus the holds of generations still in flight."""

    charged: Decimal
    in_flight: Decimal

    @property
    def total(self) -> Decimal:
        return money(self.charged + self.in_flight)


def spend_committed(*, author_id: int | None = None, today: date | None = None) -> Committed:
    month = Period.month_of(today or timezone.localdate())
    rows = Generation.objects.all()
    if author_id is not None:
        rows = rows.filter(author_id=author_id)
    sums = rows.aggregate(
        charged=micro_sum(
            "cost_eur",
            only=Q(
                cost_eur__isnull=False, responded_at__gte=month.start, responded_at__lt=month.end
            ),
        ),
        in_flight=micro_sum(
            "estimated_cost_eur",
            only=Q(cost_eur__isnull=True, status__in=Generation.AWAITING_CHARGE),
        ),
    )
    return Committed(charged=euros(sums["charged"]), in_flight=euros(sums["in_flight"]))


def _refusal(*, whose: str, limit: Decimal, committed: Committed, estimate: Decimal) -> str:
    return (
        f"Not sent: this image (about €{estimate}) would take {whose} spend this month to "
        f"€{committed.total + estimate}, over {whose} monthly budget of €{limit} "
        f"(€{committed.charged} charged, €{committed.in_flight} still generating). "
        "Ask an admin to raise the budget, or wait for next month."
    )


def budget_guard(*, author, estimated_cost: Decimal | None) -> None:
    """Raise BudgetExceeded if this submit would cross the author's or the team's limit.

    Call inside the transaction that inserts the generation (see the module docstring). An
    unknown estimate (the API gave no price) counts as zero.
    """
    team = SpendSettings.objects.select_for_update().get_or_create(pk=1)[0]
    estimate = money(estimated_cost)
    personal = PersonBudget.objects.filter(user_id=author.pk).first()
    if personal is not None:
        mine = spend_committed(author_id=author.pk)
        if mine.total + estimate > personal.monthly_limit_eur:
            raise BudgetExceeded(
                _refusal(
                    whose="your",
                    limit=money(personal.monthly_limit_eur),
                    committed=mine,
                    estimate=estimate,
                )
            )
    if team.team_monthly_limit_eur is not None:
        everyone = spend_committed()
        if everyone.total + estimate > team.team_monthly_limit_eur:
            raise BudgetExceeded(
                _refusal(
                    whose="the team's",
                    limit=money(team.team_monthly_limit_eur),
                    committed=everyone,
                    estimate=estimate,
                )
            )


@dataclass(frozen=True)
class BudgetUse:
    name: str
    user_id: int | None
    limit: Decimal
    committed: Committed
    near_share: int = 100  # the admins' warning share (SpendSettings.near_budget_percent)

    @property
    def percent(self) -> int:
        if self.limit <= 0:
            return 100
        return int(self.committed.total * 100 / self.limit)

    @property
    def left(self) -> Decimal:
        return money(self.limit - self.committed.total)

    @property
    def near(self) -> bool:
        return self.percent >= self.near_share


def budgets_in_use() -> list[BudgetUse]:
    """The team's budget first, then every person's, with this month's committed spend."""
    uses = []
    team = SpendSettings.read()
    share = team.near_budget_percent
    if team.team_monthly_limit_eur is not None:
        limit = money(team.team_monthly_limit_eur)
        uses.append(BudgetUse("Whole team", None, limit, spend_committed(), share))
    for budget in PersonBudget.objects.select_related("user"):
        uses.append(
            BudgetUse(
                budget.user.get_username(),
                budget.user_id,
                money(budget.monthly_limit_eur),
                spend_committed(author_id=budget.user_id),
                share,
            )
        )
    return uses


def budgets_near() -> list[BudgetUse]:
    """Budgets used at or past the admins' warning share."""
    return [use for use in budgets_in_use() if use.near]
