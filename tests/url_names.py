"""Every named URL of the project, so tests that must cover each page notice a new one."""

from django.urls import URLPattern, URLResolver, get_resolver


def url_names(patterns=None, namespace: str = "") -> set[str]:
    """`namespace:name` of every named URL below `patterns` (the project's, by default)."""
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names
