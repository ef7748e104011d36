from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "depicta_web.accounts"
    label = "accounts"
