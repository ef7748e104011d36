from django.apps import AppConfig


class GenerationsConfig(AppConfig):
    name = "depicta_web.generations"
    label = "generations"
