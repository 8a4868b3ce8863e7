from django.apps import AppConfig


class Config(AppConfig):
    name = "meterbill.metering"
    label = "metering"
