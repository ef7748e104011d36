"""The prompt form. Field names are the API's: prompt, model, aspect_ratio, image_size,
strictness, and a list of reference images posted as repeated `url` / `description` pairs."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

from django import forms
from django.http import QueryDict

from depicta_web.depicta.schema import (
    ASPECT_RATIOS,
    IMAGE_SIZES,
    MAX_REFERENCE_IMAGES,
    PROMPT_MAX_CHARS,
    ModelInfo,
    ReferenceImage,
)

from .catalogue import model_find
from .pipeline import FormParameters

STRICTNESS_CHOICES = [
    ("", "Account default"),
    ("normal", "Normal (brand-safe)"),
    ("liberal", "Liberal (legal limits only)"),
]
IMAGE_SIZE_LABELS = {"1K": "1K (1024 px)", "2K": "2K (2048 px)", "4K": "4K (4096 px)"}


def model_label(model: ModelInfo) -> str:
    price = f"€{model.price_eur.normalize():f}" if model.price_eur is not None else "price n/a"
    budget = " · budget" if model.budget else ""
    return f"{model.name} — {price}{budget}"


class GenerationForm(forms.Form):
    prompt = forms.CharField(
        max_length=PROMPT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Describe the image…"}),
        error_messages={"required": "Write a prompt: it cannot be empty."},
    )
    model = forms.ChoiceField(
        error_messages={"invalid_choice": "Unknown model %(value)s: pick one from the list."}
    )
    aspect_ratio = forms.ChoiceField(
        choices=[(r, r) for r in ASPECT_RATIOS],
        initial="1:1",
        error_messages={
            "invalid_choice": f"%(value)s is not an aspect ratio Depicta offers "
            f"({', '.join(ASPECT_RATIOS)})."
        },
    )
    image_size = forms.ChoiceField(
        choices=[(s, IMAGE_SIZE_LABELS[s]) for s in IMAGE_SIZES],
        initial="1K",
        error_messages={
            "invalid_choice": f"%(value)s is not an image size ({', '.join(IMAGE_SIZES)})."
        },
    )
    strictness = forms.ChoiceField(
        choices=STRICTNESS_CHOICES,
        required=False,
        initial="",
        error_messages={
            "invalid_choice": "Strictness is normal, liberal, or empty for the account "
            "default; %(value)s is neither."
        },
    )

    def __init__(self, data: QueryDict | None = None, *, models: list[ModelInfo], **kwargs):
        super().__init__(data, **kwargs)
        self.models = models
        self.fields["model"].choices = [(m.key, model_label(m)) for m in models]
        if models and "model" not in self.initial:
            self.initial["model"] = models[0].key
        self.reference_rows = self._reference_rows(data)
        self.reference_errors: list[str] = []

    @staticmethod
    def _reference_rows(data: QueryDict | None) -> list[tuple[str, str]]:
        if data is None:
            return []
        urls = [u.strip() for u in data.getlist("url")]
        descriptions = [d.strip() for d in data.getlist("description")]
        width = max(len(urls), len(descriptions))
        urls += [""] * (width - len(urls))
        descriptions += [""] * (width - len(descriptions))
        # Rows left wholly empty are the form's unused slots, not input.
        return [(u, d) for u, d in zip(urls, descriptions, strict=True) if u or d]

    def clean_prompt(self) -> str:
        prompt = self.cleaned_data["prompt"].strip()
        if not prompt:
            raise forms.ValidationError("Write a prompt: it cannot be only spaces.")
        return prompt

    def clean(self) -> dict:
        cleaned = super().clean()
        model = model_find(self.models, cleaned.get("model", ""))
        size = cleaned.get("image_size")
        if model and size and size not in model.image_sizes:
            self.add_error(
                "image_size",
                f"{model.name} makes {', '.join(model.image_sizes)} images, not {size}.",
            )
        self._clean_references()
        return cleaned

    def _clean_references(self) -> None:
        rows = self.reference_rows
        if len(rows) > MAX_REFERENCE_IMAGES:
            self.reference_errors.append(
                f"At most {MAX_REFERENCE_IMAGES} reference images; {len(rows)} were given."
            )
        for number, (url, description) in enumerate(rows, start=1):
            parts = urlsplit(url)
            if not url:
                self.reference_errors.append(f"Reference {number}: give its HTTPS URL.")
            elif parts.scheme != "https" or not parts.netloc:
                self.reference_errors.append(
                    f"Reference {number}: the URL must be a public https:// address."
                )
            if not description:
                self.reference_errors.append(f"Reference {number}: describe what the image shows.")
        for message in self.reference_errors:
            self.add_error(None, message)

    @property
    def selected_model(self) -> ModelInfo | None:
        return model_find(self.models, self.cleaned_data.get("model", ""))

    @property
    def estimated_cost(self) -> Decimal | None:
        model = self.selected_model
        return model.price_eur if model else None

    def parameters(self) -> FormParameters:
        data = self.cleaned_data
        return FormParameters(
            prompt=data["prompt"],
            model=data["model"],
            aspect_ratio=data["aspect_ratio"],
            image_size=data["image_size"],
            strictness=data["strictness"],
            reference_images=tuple(
                ReferenceImage(url=u, description=d) for u, d in self.reference_rows
            ),
        )
