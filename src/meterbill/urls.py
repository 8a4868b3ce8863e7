from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("portal/", include("meterbill.portal.urls")),
    path("api/", include("meterbill.api.urls")),
    path("", include("meterbill.web.urls")),
]
