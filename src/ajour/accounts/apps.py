from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ajour.accounts"
    label = "accounts"
    verbose_name = "Accounts and ledger"
