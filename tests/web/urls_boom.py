"""The project's URLs plus one view that fails, for the 500 page test."""

from django.urls import path

from meterbill.urls import urlpatterns as project


def boom(request):
    raise RuntimeError("secret internals: db password hunter2")


urlpatterns = [path("boom/", boom), *project]
