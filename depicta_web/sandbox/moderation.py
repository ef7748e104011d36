"""Deterministic content moderation: fixed word lists, checked on whole words.

The prompt and every reference image description are checked. Three lists, first match wins:
- LEGAL_TERMS: barred by law, refused under any strictness: 451 `content_rejected_legal`;
- ALWAYS_TERMS: against the policy under any strictness: 403 `content_rejected`;
- BRAND_UNSAFE_TERMS: refused under `normal` (brand-safe, the account default) and allowed
  under `liberal`: 403 `content_rejected`.
"""

import re
from dataclasses import dataclass

LEGAL_TERMS = frozenset(
    {"counterfeit banknote", "counterfeit banknotes", "counterfeit money", "forged passport"}
)
ALWAYS_TERMS = frozenset({"beheading", "torture", "self-harm", "massacre"})
BRAND_UNSAFE_TERMS = frozenset({"gore", "gory", "nude", "nudity", "nsfw", "topless", "bloodbath"})

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Rejection:
    code: str  # content_rejected | content_rejected_legal
    message: str
    terms: tuple[str, ...]
    strictness: str

    @property
    def details(self) -> dict[str, object]:
        return {"strictness": self.strictness, "terms": list(self.terms)}


def moderation_check(*, texts: list[str], strictness: str) -> Rejection | None:
    """The first rule the texts break under `strictness`, or None when they pass."""
    # Texts are joined with a bar so that no phrase matches across two of them.
    words = " " + " | ".join(" ".join(_WORD.findall(text.lower())) for text in texts) + " "
    if terms := _found(words, LEGAL_TERMS):
        return Rejection(
            "content_rejected_legal",
            "This content is barred by law and cannot be generated under any strictness.",
            terms,
            strictness,
        )
    if terms := _found(words, ALWAYS_TERMS):
        return Rejection(
            "content_rejected",
            "The prompt breaks the content policy under every strictness.",
            terms,
            strictness,
        )
    if strictness == "normal" and (terms := _found(words, BRAND_UNSAFE_TERMS)):
        return Rejection(
            "content_rejected",
            "The prompt is not brand-safe under strictness 'normal'; 'liberal' allows it.",
            terms,
            strictness,
        )
    return None


def _found(words: str, terms: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(term for term in terms if f" {term} " in words))
