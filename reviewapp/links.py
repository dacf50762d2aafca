"""Reversing URL names, fast: a page reverses a link for every row it lists (a pathway page
about two hundred), and Django's `reverse` rebuilds and re-matches its pattern each time.

`fast_reverse(name, args)` gives what `reverse(name, args=args)` gives, for a URL name
without a namespace and positional arguments: the same candidate patterns, tried in the
same order, the same converters, the same check of the result against the pattern, the
same quoting. What it keeps between calls is the candidates of each (name, number of
arguments), with their patterns compiled. Anything else (a namespaced name, a callable, no
match) goes to Django's `reverse`, which also raises its error.

The `{% url %}` tag of every template uses it (`reviewapp.templatetags.links` is a
template builtin): with keyword arguments, the tag is Django's own.
"""

import re
from functools import lru_cache
from urllib.parse import quote

from django.template import defaulttags
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.http import RFC3986_SUBDELIMS, escape_leading_slashes
from django.utils.translation import get_language


@lru_cache(maxsize=1024)
def _candidates(resolver, language, prefix: str, name: str, count: int) -> tuple:
    """The patterns `name` reverses to with `count` positional arguments, in Django's order:
    (format, parameter names, converters by name, compiled pattern) for each. Keyed on the
    resolver itself: a changed URLconf (ROOT_URLCONF in a test) is a new resolver."""
    found = []
    for possibility, pattern, _defaults, converters in resolver.reverse_dict.getlist(name):
        for result, params in possibility:
            if len(params) == count:
                found.append(
                    (
                        prefix.replace("%", "%%") + result,
                        tuple(params),
                        dict(converters),
                        re.compile(f"^{re.escape(prefix)}{pattern}"),
                    )
                )
    return tuple(found)


def fast_reverse(name, args=()) -> str:
    """`reverse(name, args=args)`, with the candidates of `name` kept between calls."""
    if not isinstance(name, str) or ":" in name:
        return reverse(name, args=args)
    candidates = _candidates(get_resolver(get_urlconf()), get_language(), get_script_prefix(), name, len(args))
    for pattern_format, params, converters, pattern in candidates:
        texts = {}
        for param, value in zip(params, args, strict=True):
            converter = converters.get(param)
            if converter is None:
                texts[param] = str(value)
                continue
            try:
                texts[param] = converter.to_url(value)
            except ValueError:
                break
        else:
            candidate = pattern_format % texts
            if pattern.search(candidate):
                return escape_leading_slashes(quote(candidate, safe=RFC3986_SUBDELIMS + "/~:@"))
    return reverse(name, args=args)  # raises NoReverseMatch as Django words it


class LinkNode(defaulttags.URLNode):
    """Django's `{% url %}` node, reversing positional arguments with `fast_reverse`."""

    def render(self, context):
        if self.kwargs:
            return super().render(context)
        name = self.view_name.resolve(context)
        args = [arg.resolve(context) for arg in self.args]
        try:
            url = fast_reverse(name, args)
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


def url(parser, token):
    """The `{% url %}` tag, parsed by Django, rendered by `LinkNode`."""
    node = defaulttags.url(parser, token)
    node.__class__ = LinkNode
    return node
