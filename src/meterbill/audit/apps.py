from django.apps import AppConfig


class Config(AppConfig):
    name = "meterbill.audit"
    label = "audit"
