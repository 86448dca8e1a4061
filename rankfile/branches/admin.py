"""Admin for the local structure: read only. Places change with ``rankfile
import_geo`` (``geo_import_with_members``), so that members follow a ward that
moves and every boundary change keeps its history."""

from django.contrib import admin

from rankfile.branches.models import Body, Postcode, Ward, WardPlacement
from rankfile.core.admin_base import ReadOnlyAdmin, ReadOnlyInline


@admin.register(Body)
class BodyAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "code", "parent")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("name", "code")


class PlacementInline(ReadOnlyInline):
    model = WardPlacement
    fields = ("branch", "valid_from", "valid_to")
    readonly_fields = fields


@admin.register(Ward)
class WardAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "constituency", "lad_name")
    list_select_related = ("constituency",)
    search_fields = ("name", "code", "lad_name")
    inlines = [PlacementInline]


@admin.register(WardPlacement)
class WardPlacementAdmin(ReadOnlyAdmin):
    """Boundary history; change it with ``rankfile import_geo`` so members move too."""

    list_display = ("ward", "branch", "valid_from", "valid_to")
    list_select_related = ("ward", "branch")
    list_filter = ("branch",)
    search_fields = ("ward__name", "ward__code", "branch__name", "branch__code")
    date_hierarchy = "valid_from"


@admin.register(Postcode)
class PostcodeAdmin(ReadOnlyAdmin):
    list_display = ("postcode", "ward")
    list_select_related = ("ward",)
    search_fields = ("postcode", "ward__name", "ward__code")
