from django.apps import AppConfig


class Config(AppConfig):
    name = "meterbill.portal"
    label = "portal"
