from django.contrib import admin

from .models import GeneratedImage, Generation, ImageFile

# What the API reported is a record, not an input: never edited by hand.
API_FIELDS = (
    "job_id",
    "depicta_id",
    "resolved_model",
    "ai_generated",
    "estimated_cost_eur",
    "cost_eur",
    "balance_eur",
    "request_id",
    "submitted_at",
    "responded_at",
    "finished_at",
    "claimed_by",
)


class GeneratedImageInline(admin.TabularInline):
    model = GeneratedImage
    extra = 0
    can_delete = False
    readonly_fields = ("position", "title", "width", "height", "thumbnail", "thumbnail_2x")


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "author",
        "short_prompt",
        "model",
        "status",
        "estimated_cost_eur",
        "cost_eur",
        "balance_eur",
        "responded_at",
    )
    list_filter = (
        "status",
        "model",
        "resolved_model",
        "author",
        "image_size",
        "aspect_ratio",
        ("cost_eur", admin.EmptyFieldListFilter),
    )
    search_fields = ("prompt", "job_id", "depicta_id", "request_id", "author__username")
    date_hierarchy = "created_at"
    readonly_fields = API_FIELDS
    list_select_related = ("author",)
    inlines = [GeneratedImageInline]

    @admin.display(description="Prompt")
    def short_prompt(self, obj: Generation) -> str:
        return obj.prompt[:80]


class ImageFileInline(admin.TabularInline):
    model = ImageFile
    extra = 0
    can_delete = False
    fields = ("format", "state", "size_bytes", "sha256", "stored_at")
    readonly_fields = fields


@admin.register(GeneratedImage)
class GeneratedImageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "generation_author", "position", "width", "height", "created_at")
    list_filter = ("generation__status", "generation__model")
    search_fields = ("generation__prompt", "generation__author__username", "title")
    date_hierarchy = "generation__created_at"
    list_select_related = ("generation__author",)
    readonly_fields = ("generation", "position", "width", "height", "thumbnail", "thumbnail_2x")
    inlines = [ImageFileInline]

    @admin.display(description="Author", ordering="generation__author__username")
    def generation_author(self, obj: GeneratedImage) -> str:
        return obj.generation.author.get_username()

    @admin.display(description="Created", ordering="generation__created_at")
    def created_at(self, obj: GeneratedImage):
        return obj.generation.created_at


@admin.register(ImageFile)
class ImageFileAdmin(admin.ModelAdmin):
    list_display = ("image", "format", "state", "size_bytes", "sha256", "stored_at")
    list_filter = ("state", "format")
    search_fields = ("sha256", "expected_sha256", "image__generation__prompt")
    date_hierarchy = "stored_at"
    list_select_related = ("image",)
    # The signed source URL is a secret for its hour and is never shown.
    exclude = ("source_url",)
    readonly_fields = (
        "image",
        "format",
        "source_expires_at",
        "expected_sha256",
        "expected_size",
        "storage_name",
        "sha256",
        "size_bytes",
        "attempts",
        "stored_at",
    )
