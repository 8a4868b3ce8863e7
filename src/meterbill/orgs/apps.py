from django.apps import AppConfig


class Config(AppConfig):
    name = "meterbill.orgs"
    label = "orgs"
