from decimal import Decimal

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from depicta_web.depicta.schema import format_money

from .credits import credit_topup
from .models import SandboxAccount, SandboxImage, SandboxJob

TOPUP_AMOUNT = Decimal("10")


@admin.register(SandboxAccount)
class SandboxAccountAdmin(admin.ModelAdmin):
    list_display = ["key_hint", "balance_eur", "held", "credits_expire_at", "created_at"]
    readonly_fields = ["key_hint", "balance_eur", "created_at"]
    actions = ["topup_ten_euros"]

    @admin.display(description="held by running jobs (EUR)")
    def held(self, account: SandboxAccount) -> str:
        return format_money(account.held_eur())

    @admin.action(description="Add EUR 10 of credit")
    def topup_ten_euros(self, request: HttpRequest, queryset: QuerySet[SandboxAccount]) -> None:
        for account in queryset:
            balance = credit_topup(account=account, amount=TOPUP_AMOUNT)
            self.message_user(
                request,
                f"{account.key_hint}: added EUR {format_money(TOPUP_AMOUNT)}, "
                f"balance EUR {format_money(balance)}.",
                messages.SUCCESS,
            )


class SandboxImageInline(admin.TabularInline):
    model = SandboxImage
    extra = 0
    can_delete = False
    readonly_fields = ["position", "format", "sha256", "size_bytes", "width", "height"]


@admin.register(SandboxJob)
class SandboxJobAdmin(admin.ModelAdmin):
    list_display = ["id", "status", "model", "image_size", "cost_eur", "error_code", "created_at"]
    list_filter = ["status", "model"]
    readonly_fields = [field.name for field in SandboxJob._meta.fields]
    inlines = [SandboxImageInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
