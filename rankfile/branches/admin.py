from django.contrib import admin

from rankfile.branches.models import Body, Postcode, Ward, WardPlacement


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "code")


class PlacementInline(admin.TabularInline):
    model = WardPlacement
    extra = 0


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "constituency")
    search_fields = ("name", "code")
    inlines = [PlacementInline]


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    list_display = ("postcode", "ward")
    search_fields = ("postcode",)
    raw_id_fields = ("ward",)
