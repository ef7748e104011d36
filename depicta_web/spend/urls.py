from django.urls import path

from . import views

app_name = "spend"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("generations", views.generations, name="generations"),
    path("ledger", views.ledger_page, name="ledger"),
    path("ledger/top-up", views.topup, name="topup"),
    path("sync", views.sync, name="sync"),
    path("budgets", views.budgets, name="budgets"),
    path("export/<slug:table>.csv", views.export, name="export"),
]
