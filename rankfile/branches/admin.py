from django.contrib import admin

from rankfile.branches.models import Body, Postcode, Ward, WardPlacement


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code", "parent")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    raw_id_fields = ("parent",)


class PlacementInline(admin.TabularInline):
    model = WardPlacement
    extra = 0
    raw_id_fields = ("branch",)


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "constituency", "lad_name")
    list_select_related = ("constituency",)
    search_fields = ("name", "code", "lad_name")
    raw_id_fields = ("constituency",)
    inlines = [PlacementInline]


@admin.register(WardPlacement)
class WardPlacementAdmin(admin.ModelAdmin):
    """Boundary history; change it with ``rankfile import_geo`` so members move too."""

    list_display = ("ward", "branch", "valid_from", "valid_to")
    list_select_related = ("ward", "branch")
    list_filter = ("branch",)
    search_fields = ("ward__name", "ward__code", "branch__name", "branch__code")
    raw_id_fields = ("ward", "branch")
    date_hierarchy = "valid_from"


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    list_display = ("postcode", "ward")
    list_select_related = ("ward",)
    search_fields = ("postcode", "ward__name", "ward__code")
    raw_id_fields = ("ward",)
