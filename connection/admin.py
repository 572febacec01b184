from django.contrib import admin

from connection.models import Branch


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_default"]
    search_fields = ["code", "name"]
    list_filter = ["is_default"]
