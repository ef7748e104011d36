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

# Balance tiers (contract, "Credits"): from EUR 0.50 every model and size; from EUR 0.01 budget
# models only, at most 2K; below the estimated hold, 402.
ALL_MODELS_FROM = Decimal("0.50")
ANY_MODEL_FROM = Decimal("0.01")
LOW_BALANCE_SIZES = ("1K", "2K")
_UNKNOWN = object()


def model_unavailable_reason(model: ModelInfo, balance: Decimal | None) -> str:
    """Why the balance tier rules this model out ("" when it does not)."""
    if balance is None:
        return ""
    if balance < ANY_MODEL_FROM:
        return f"the balance (€{balance}) is under €0.01"
    if balance < ALL_MODELS_FROM and not model.budget:
        return f"below a €0.50 balance (now €{balance}) only budget models can be used"
    if model.price_eur is not None and balance < model.price_eur:
        return f"costs about €{model.price_eur}, more than the €{balance} balance"
    return ""


def size_unavailable_reason(size: str, balance: Decimal | None) -> str:
    if balance is not None and balance < ALL_MODELS_FROM and size not in LOW_BALANCE_SIZES:
        return f"below a €0.50 balance (now €{balance}) images are at most 2K"
    return ""


def _unavailable(reason: str) -> str:
    return f" — unavailable: {reason}" if reason else ""


class OptionsSelect(forms.Select):
    """A select whose options in `disabled` (value -> reason) cannot be picked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.disabled: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.disabled:
            option["attrs"]["disabled"] = True
            option["attrs"]["title"] = f"Unavailable: {self.disabled[str(value)]}"
        return option


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
        widget=OptionsSelect,
        error_messages={"invalid_choice": "Unknown model %(value)s: pick one from the list."},
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
        widget=OptionsSelect,
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
        models: list[ModelInfo],
        balance: Decimal | object | None = _UNKNOWN,
        **kwargs,
    ):
        super().__init__(data, **kwargs)
        self.models = models
        self.balance = _balance_latest() if balance is _UNKNOWN else balance
        self._tier_limits()
        if models and "model" not in self.initial:
            usable = [m for m in models if m.key not in self.unavailable_models]
            self.initial["model"] = (usable or models)[0].key
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

    def _tier_limits(self) -> None:
        """Disable, with the reason, the models and sizes the balance tier cannot use."""
        self.unavailable_models = {
            m.key: reason
            for m in self.models
            if (reason := model_unavailable_reason(m, self.balance))
        }
        self.fields["model"].choices = [
            (m.key, model_label(m) + _unavailable(self.unavailable_models.get(m.key, "")))
            for m in self.models
        ]
        self.fields["model"].widget.disabled = self.unavailable_models
        self.unavailable_sizes = {
            size: reason
            for size in IMAGE_SIZES
            if (reason := size_unavailable_reason(size, self.balance))
        }
        self.fields["image_size"].choices = [
            (s, IMAGE_SIZE_LABELS[s] + _unavailable(self.unavailable_sizes.get(s, "")))
            for s in IMAGE_SIZES
        ]
        self.fields["image_size"].widget.disabled = self.unavailable_sizes

    def clean_prompt(self) -> str:
        prompt = self.cleaned_data["prompt"].strip()
        if not prompt:
            raise forms.ValidationError("Write a prompt: it cannot be only spaces.")
        return prompt

    def clean(self) -> dict:
        cleaned = super().clean()
        model = model_find(self.models, cleaned.get("model", ""))
        size = cleaned.get("image_size")
        if model and model.key in self.unavailable_models:
            self.add_error(
                "model", f"{model.name} is unavailable: {self.unavailable_models[model.key]}."
            )
        if size in self.unavailable_sizes:
            self.add_error("image_size", f"{size} is unavailable: {self.unavailable_sizes[size]}.")
            size = None
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
        """The hold to count against budgets: the model's price for the chosen size."""
        model = self.selected_model
        return model.price_for(self.cleaned_data.get("image_size")) if model else None

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


def _balance_latest() -> Decimal | None:
    """The latest balance seen (a generation response, sync now, or typed in)."""
    from depicta_web.spend.ledger import balance_current

    seen = balance_current()
    return seen.amount if seen else None
