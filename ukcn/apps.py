from django.apps import AppConfig


class UkcnConfig(AppConfig):
    name = "ukcn"
    verbose_name = "ukcn: people and departments"
