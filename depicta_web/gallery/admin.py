from django.contrib import admin

from .models import Collection, CollectionItem, Favourite


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    extra = 0
    raw_id_fields = ("generation",)
    readonly_fields = ("added_by", "added_at")


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ("name", "created_by", "created_at")
    search_fields = ("name",)
    inlines = [CollectionItemInline]


@admin.register(Favourite)
class FavouriteAdmin(admin.ModelAdmin):
    list_display = ("user", "generation", "created_at")
    raw_id_fields = ("generation",)
