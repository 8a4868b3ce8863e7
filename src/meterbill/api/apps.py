from django.apps import AppConfig


class Config(AppConfig):
    name = "meterbill.api"
    label = "api"
    verbose_name = "REST API"
