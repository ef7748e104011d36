"""The prompt form. Field names are the API's: prompt, model, aspect_ratio, image_size,
strictness, and a list of reference images posted as repeated `url` / `description` pairs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict

from depicta_web.depicta.schema import (
    ALL_MODELS_FROM,
    ANY_MODEL_FROM,
    ASPECT_RATIOS,
    IMAGE_SIZES,
    LOW_BALANCE_MAX_SIZE,
    MAX_REFERENCE_IMAGES,
    PROMPT_MAX_CHARS,
    ModelInfo,
    ModelList,
    ReferenceImage,
)
from depicta_web.generations.pricing import PriceEstimate, price_estimates
from depicta_web.generations.submitting import FormParameters
from depicta_web.lib.money import price_text
from depicta_web.lib.public_url import public_https_problem
from depicta_web.lib.text import has_control_characters, is_blank

STRICTNESS_CHOICES = [
    ("", "Account default"),
    ("normal", "Normal (brand-safe)"),
    ("liberal", "Liberal (legal limits only)"),
]
IMAGE_SIZE_LABELS = {"1K": "1K (1024 px)", "2K": "2K (2048 px)", "4K": "4K (4096 px)"}

# What a remix or a retry takes over from the generation it starts from (references too).
REMIX_FIELDS = ("prompt", "model", "aspect_ratio", "image_size", "strictness")
# Sizes allowed below a €0.50 balance (contract: "Credits").
LOW_BALANCE_SIZES = IMAGE_SIZES[: IMAGE_SIZES.index(LOW_BALANCE_MAX_SIZE) + 1]


def model_unavailable_reason(
    model: ModelInfo, balance: Decimal | None, price: Decimal | None = None
) -> str:
    """Why the balance tier rules this model out ("" when it does not). Only a model the API
    marks as not budget is ruled out below ALL_MODELS_FROM; with no mark, Depicta decides."""
    if balance is None:
        return ""
    if balance < ANY_MODEL_FROM:
        return f"the balance (€{balance}) is under €{ANY_MODEL_FROM}"
    if balance < ALL_MODELS_FROM and model.budget is False:
        return f"below a €{ALL_MODELS_FROM} balance (now €{balance}) only budget models can be used"
    if price is not None and balance < price:
        return f"costs about {price_text(price)}, more than the €{balance} balance"
    return ""


def size_unavailable_reason(size: str, balance: Decimal | None) -> str:
    if balance is not None and balance < ALL_MODELS_FROM and size not in LOW_BALANCE_SIZES:
        return (
            f"below a €{ALL_MODELS_FROM} balance (now €{balance}) images are at most "
            f"{LOW_BALANCE_MAX_SIZE}"
        )
    return ""


def _unavailable(reason: str) -> str:
    return f" — unavailable: {reason}" if reason else ""


class OptionsSelect(forms.Select):
    """A select whose options in `disabled` (value -> reason) cannot be picked, and whose
    options may carry data attributes (value -> attrs), e.g. the sizes a model makes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.disabled: dict[str, str] = {}
        self.option_data: dict[str, dict[str, str]] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.option_data.get(str(value), {}))
        if str(value) in self.disabled:
            option["attrs"]["disabled"] = True
            option["attrs"]["title"] = f"Unavailable: {self.disabled[str(value)]}"
        return option


def model_label(model: ModelInfo, estimate: PriceEstimate) -> str:
    budget = " · budget" if model.budget else ""
    return f"{model.name} — {estimate.label}{budget}"


def model_option_data(model: ModelInfo) -> dict[str, str]:
    """What the composer's script needs to offer only this model's sizes and ratios."""
    return {
        "data-sizes": " ".join(model.sizes_offered),
        "data-ratios": " ".join(model.ratios_offered),
    }


class GenerationForm(forms.Form):
    prompt = forms.CharField(
        max_length=PROMPT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Describe the image…"}),
        error_messages={"required": "Write a prompt: it cannot be empty."},
    )
    model = forms.ChoiceField(
        widget=OptionsSelect(attrs={"data-model-select": ""}),
        error_messages={"invalid_choice": "Unknown model %(value)s: pick one from the list."},
    )
    aspect_ratio = forms.ChoiceField(
        widget=forms.Select(attrs={"data-ratio-select": ""}),
        choices=[(r, r) for r in ASPECT_RATIOS],
        initial="1:1",
        error_messages={
            "invalid_choice": f"%(value)s is not an aspect ratio Depicta offers "
            f"({', '.join(ASPECT_RATIOS)})."
        },
    )
    image_size = forms.ChoiceField(
        widget=OptionsSelect(attrs={"data-size-select": ""}),
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

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        models: ModelList,
        balance: Decimal | None = None,
        **kwargs,
    ):
        super().__init__(data, **kwargs)
        self.catalogue = models
        # This form generates: a model that only edits or combines is not offered.
        self.models = [m for m in models.models if m.can_generate]
        self.balance = balance  # the latest seen; None: unknown, nothing is ruled out
        self.estimates = price_estimates(self.models, self._size_chosen(data))
        self._tier_limits()
        if self.models and "model" not in self.initial:
            usable = [m for m in self.models if m.key not in self.unavailable_models]
            self.initial["model"] = (usable or self.models)[0].key
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

    def _size_chosen(self, data: QueryDict | None) -> str:
        size = (data.get("image_size") if data else None) or self.initial.get("image_size")
        return size if size in IMAGE_SIZES else self.fields["image_size"].initial

    @property
    def price_note(self) -> str:
        """The catalogue's own caveat on its prices, shown under the settings."""
        return self.catalogue.disclaimer

    def _tier_limits(self) -> None:
        """Disable, with the reason, the models and sizes the balance tier cannot use."""
        model_field, size_field = self.fields["model"], self.fields["image_size"]
        assert isinstance(model_field, forms.ChoiceField)
        assert isinstance(size_field, forms.ChoiceField)
        self.unavailable_models = {
            m.key: reason
            for m in self.models
            if (reason := model_unavailable_reason(m, self.balance, self.estimates[m.key].shown))
        }
        model_field.choices = [
            (
                m.key,
                model_label(m, self.estimates[m.key])
                + _unavailable(self.unavailable_models.get(m.key, "")),
            )
            for m in self.models
        ]
        model_field.widget.disabled = self.unavailable_models
        model_field.widget.option_data = {m.key: model_option_data(m) for m in self.models}
        self.unavailable_sizes = {
            size: reason
            for size in IMAGE_SIZES
            if (reason := size_unavailable_reason(size, self.balance))
        }
        size_field.choices = [
            (s, IMAGE_SIZE_LABELS[s] + _unavailable(self.unavailable_sizes.get(s, "")))
            for s in IMAGE_SIZES
        ]
        size_field.widget.disabled = self.unavailable_sizes

    def clean_prompt(self) -> str:
        prompt = self.cleaned_data["prompt"].strip()
        if is_blank(prompt):
            raise forms.ValidationError(
                "Write a prompt: it cannot be only spaces or invisible characters."
            )
        if has_control_characters(prompt):
            raise forms.ValidationError(
                "The prompt holds control characters (such as NUL) that Depicta cannot read: "
                "retype or paste it again as plain text."
            )
        return prompt

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        model = self._model_listed(cleaned.get("model", ""))
        size = cleaned.get("image_size")
        ratio = cleaned.get("aspect_ratio")
        if model and model.key in self.unavailable_models:
            self.add_error(
                "model", f"{model.name} is unavailable: {self.unavailable_models[model.key]}."
            )
        if size in self.unavailable_sizes:
            self.add_error("image_size", f"{size} is unavailable: {self.unavailable_sizes[size]}.")
            size = None
        # Only sizes the model names as 1K/2K/4K are known; any other size is Depicta's call.
        if model and size and model.sizes_named and size not in model.image_sizes:
            self.add_error(
                "image_size",
                f"{model.name} makes {', '.join(model.sizes_offered)} images, not {size}: "
                "pick one of those sizes or another model.",
            )
        if model and ratio and ratio not in model.ratios_offered:
            self.add_error(
                "aspect_ratio",
                f"{model.name} makes {', '.join(model.ratios_offered)} images, not {ratio}: "
                "pick one of those ratios or another model.",
            )
        self._clean_references()
        return cleaned

    def _model_listed(self, key: str) -> ModelInfo | None:
        return next((m for m in self.models if key and key in (m.id, m.alias)), None)

    def _clean_references(self) -> None:
        rows = self.reference_rows
        if len(rows) > MAX_REFERENCE_IMAGES:
            self.reference_errors.append(
                f"At most {MAX_REFERENCE_IMAGES} reference images; {len(rows)} were given."
            )
        for number, (url, description) in enumerate(rows[:MAX_REFERENCE_IMAGES], start=1):
            if not url:
                self.reference_errors.append(f"Reference {number}: give its HTTPS URL.")
            elif problem := public_https_problem(url):
                self.reference_errors.append(
                    f"Reference {number}: the URL {problem}; give a public https:// address "
                    "Depicta can fetch."
                )
            if is_blank(description):
                self.reference_errors.append(f"Reference {number}: describe what the image shows.")
            elif has_control_characters(description):
                self.reference_errors.append(
                    f"Reference {number}: the description holds control characters (such as "
                    "NUL); retype it as plain text."
                )
        for message in self.reference_errors:
            self.add_error(None, message)

    @property
    def selected_model(self) -> ModelInfo | None:
        return self._model_listed(self.cleaned_data.get("model", ""))

    @property
    def estimated_cost(self) -> Decimal | None:
        """What budgets hold for this image: the higher of the catalogue's figure and what the
        team's recent images of this model and size cost (generations.pricing)."""
        # The estimates were made for the posted size, which is the cleaned one.
        model = self.selected_model
        return self.estimates[model.key].reserve if model else None

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
