from django.apps import AppConfig


class Config(AppConfig):
    name = "meterbill.premises"
    label = "premises"
