from django.apps import AppConfig


class SpendConfig(AppConfig):
    name = "depicta_web.spend"
    label = "spend"
    verbose_name = "Spend"
