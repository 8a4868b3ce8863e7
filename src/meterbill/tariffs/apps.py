from django.apps import AppConfig


class Config(AppConfig):
    name = "meterbill.tariffs"
    label = "tariffs"
