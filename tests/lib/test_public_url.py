"""References Depicta could not fetch are refused before any call, with the reason."""

import pytest

from depicta_web.lib.public_url import public_https_problem
from depicta_web.lib.text import is_blank


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://example.com/a.png", ""),
        ("https://8.8.8.8/a.png", ""),
        ("https://[2001:4860:4860::8888]/a.png", ""),
        ("http://example.com/a.png", "must be a public https:// address"),
        ("https:///a.png", "must be a public https:// address"),
        ("https://[zz/", "is not a valid URL"),
        ("https://example.com:99999/a.png", "is not a valid URL"),
        ("https://exa\x00mple.com/a.png", "control characters"),
        ("https://example.com/a b.png", "spaces"),
        ("https://localhost/a.png", "not a public address"),
        ("https://LOCALHOST./a.png", "not a public address"),
        ("https://printer.local/a.png", "not a public address"),
        ("https://127.0.0.1/a.png", "not a public address"),
        ("https://10.0.0.7/a.png", "not a public address"),
        ("https://169.254.169.254/latest/meta-data", "not a public address"),
        ("https://[::1]/a.png", "not a public address"),
        ("https://[::ffff:127.0.0.1]/a.png", "not a public address"),
        ("https://2130706433/a.png", "not a public address"),
        ("https://0x7f.1/a.png", "not a public address"),
        ("https://127.0.0.1\\@example.com/a.png", "backslash"),
        ("https://foo.127/a.png", "not a public address"),
    ],
)
def test_a_reference_url_is_judged_as_depicta_would(url, problem):
    found = public_https_problem(url)
    assert (problem in found) if problem else found == ""


@pytest.mark.parametrize(
    ("text", "blank"),
    [
        ("", True),
        (" \t\n", True),
        ("\u200b\u200c\u200d\u2060\ufeff", True),
        ("\u3164\u2800\u00a0", True),
        ("\u034f\ufe0f\U000e0041\U000e0100", True),
        ("a\u200b", False),
        ("猫", False),
    ],
)
def test_text_of_only_invisible_characters_counts_as_blank(text, blank):
    assert is_blank(text) is blank
