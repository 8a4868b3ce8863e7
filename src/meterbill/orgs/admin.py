from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Branch, Organisation, User

admin.site.register(Organisation)
admin.site.register(Branch)
admin.site.register(User, UserAdmin)
