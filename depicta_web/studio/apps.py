from django.apps import AppConfig


class StudioConfig(AppConfig):
    """The designers' screen: the composer and the team's feed. It composes the product areas
    (generations, spend's budgets and balance) and nothing imports it."""

    name = "depicta_web.studio"
    label = "studio"
