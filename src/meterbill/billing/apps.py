from django.apps import AppConfig


class Config(AppConfig):
    name = "meterbill.billing"
    label = "billing"
