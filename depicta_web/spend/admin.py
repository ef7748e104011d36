from django.contrib import admin

from .models import BalanceObservation, PersonBudget, SpendSettings, TopUp


@admin.register(PersonBudget)
class PersonBudgetAdmin(admin.ModelAdmin):
    list_display = ("user", "monthly_limit_eur", "set_by", "updated_at")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user", "set_by")
    readonly_fields = ("set_by", "updated_at")
    autocomplete_fields = ("user",)

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SpendSettings)
class SpendSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "team_monthly_limit_eur", "low_balance_eur", "near_budget_percent")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request) -> bool:
        return not SpendSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TopUp)
class TopUpAdmin(admin.ModelAdmin):
    list_display = ("paid_at", "amount_eur", "note", "recorded_by", "recorded_at")
    list_filter = ("recorded_by",)
    search_fields = ("note",)
    date_hierarchy = "paid_at"
    readonly_fields = ("recorded_by", "recorded_at")
    list_select_related = ("recorded_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(BalanceObservation)
class BalanceObservationAdmin(admin.ModelAdmin):
    list_display = ("observed_at", "amount_eur", "source", "job_id", "note", "recorded_by")
    list_filter = ("source",)
    search_fields = ("job_id", "note")
    date_hierarchy = "observed_at"
    list_select_related = ("recorded_by",)

    def get_readonly_fields(self, request, obj=None):
        # What "sync now" read from the API is a record, not an input.
        if obj is not None and obj.source == BalanceObservation.Source.SYNC:
            return ("amount_eur", "observed_at", "source", "job_id", "recorded_by", "recorded_at")
        return ("recorded_by", "recorded_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
