from django.apps import AppConfig


class Config(AppConfig):
    name = "meterbill.invoicing"
    label = "invoicing"
