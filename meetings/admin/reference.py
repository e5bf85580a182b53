"""The reference data a town edits: appeal categories and departments, each with its
Chinese name and its optional English one (branches.names)."""

from django.contrib import admin

from branches.scoped_admin import ScopedModelAdmin

from ..models import AppealCategory, Department
from ..scope import appeal_categories_for, departments_for


@admin.register(AppealCategory)
class AppealCategoryAdmin(ScopedModelAdmin):
    gate = appeal_categories_for
    list_display = ["name", "name_en", "position", "active"]
    search_fields = ["name", "name_en"]


@admin.register(Department)
class DepartmentAdmin(ScopedModelAdmin):
    gate = departments_for
    list_display = ["name", "name_en", "level", "emails", "active"]
    list_filter = ["level", "active"]
    search_fields = ["name", "name_en"]
