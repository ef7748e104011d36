"""The sandbox's endpoints, mounted at /sandbox/ (paths as in Depicta's API)."""

from django.urls import path, re_path, register_converter

from . import views


class ImageFormatConverter:
    regex = "png|jpeg|webp"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ImageFormatConverter, "image_format")

app_name = "sandbox"
urlpatterns = [
    path("health", views.health, name="health"),
    path("v1/openapi.json", views.openapi_json, name="openapi_json"),
    path("v1/openapi.yaml", views.openapi_yaml, name="openapi_yaml"),
    path("v1/pricing", views.pricing, name="pricing"),
    path("v1/models", views.model_list, name="models"),
    path("v1/account/profile", views.account_profile, name="account_profile"),
    path("v1/skill-version", views.skill_version, name="skill_version"),
    path("v1/generate/image", views.generate_image, name="generate_image"),
    path("v1/jobs", views.job_list, name="jobs"),
    path("v1/jobs/<str:job_id>", views.job_detail, name="job"),
    path(
        "files/<uuid:job_id>/<int:position>.<image_format:fmt>",
        views.image_file,
        name="file",
    ),
    # Anything else under /sandbox/ is Depicta's 404 `not_found`, in its JSON body.
    re_path(r"^.*$", views.not_found, name="not_found"),
]
