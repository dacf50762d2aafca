"""`fast_reverse` and the `{% url %}` tag built on it give exactly what Django's `reverse` gives."""

import re

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, path, reverse, set_script_prefix
from django.urls.resolvers import RegexPattern

from reviewapp.links import fast_reverse

SAMPLES = {
    "int": [7, "12"],
    "slug": ["pathway-1", "a_b-2"],
    "str": ["x y", "é"],
    "string": ["MQ", "c3a-token"],
    "path": ["a/b"],
}
# A group of a pattern written as a regular expression: its alternatives when it is a
# choice of words (`pathways|claims|evidence`), else these slugs.
REGEX_GROUP = re.compile(r"\(\?P<\w+>([^)]*)\)")
REGEX_SLUGS = ["v-1", "a_b-2"]


def _named_patterns(patterns=None, converters=None):
    """Every named URL pattern without a namespace: (name, its converters' kinds in order)."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace is None:
                yield from _named_patterns(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name:
            if isinstance(entry.pattern, RegexPattern):
                kinds = [f"regex:{group}" for group in REGEX_GROUP.findall(entry.pattern.regex.pattern)]
            else:
                kinds = [
                    type(converter).__name__.removesuffix("Converter").lower()
                    for converter in entry.pattern.converters.values()
                ]
            yield entry.name, tuple(kinds)


NAMED = sorted(set(_named_patterns()))


def test_the_app_has_named_links_of_each_kind_to_check():
    kinds = {kind for _, pattern_kinds in NAMED for kind in pattern_kinds}
    assert len(NAMED) > 40 and {"int", "slug"} <= kinds


def _sample(kind: str, index: int):
    if kind.startswith("regex:"):
        group = kind.removeprefix("regex:")
        values = group.split("|") if re.fullmatch(r"[a-z|-]+", group) else REGEX_SLUGS
        assert all(re.fullmatch(group, value) for value in values), group
    else:
        values = SAMPLES[kind]
    return values[index % len(values)]


@pytest.mark.parametrize("name,kinds", NAMED, ids=[name for name, _ in NAMED])
def test_each_named_link_reverses_as_django_does(name, kinds):
    for sample in range(2):
        args = [_sample(kind, sample) for kind in kinds]
        assert fast_reverse(name, args) == reverse(name, args=args)


@pytest.mark.parametrize(
    "name,args",
    [
        ("claim_detail", ["report-1", "has/slash"]),  # not a slug
        ("claim_detail", ["report-1"]),  # too few
        ("export_detail", ["report-1", "not-a-number"]),
        ("no_such_view", []),
    ],
)
def test_what_django_refuses_is_refused_in_the_same_words(name, args):
    with pytest.raises(NoReverseMatch) as ours:
        fast_reverse(name, args)
    with pytest.raises(NoReverseMatch) as djangos:
        reverse(name, args=args)
    assert str(ours.value) == str(djangos.value)


def test_the_script_prefix_is_kept():
    try:
        set_script_prefix("/review/")
        assert (
            fast_reverse("report_detail", ["r-1"]) == "/review/reports/r-1/" == reverse("report_detail", args=["r-1"])
        )
    finally:
        set_script_prefix("/")
    assert fast_reverse("report_detail", ["r-1"]) == "/reports/r-1/"


def test_the_url_tag_renders_as_djangos_with_escaping_as_and_keywords():
    template = Template(
        "{% url 'claim_detail' r c %}|{% url 'claim_detail' slug=r claim_slug=c %}|"
        "{% url 'no_such_view' as missing %}[{{ missing }}]|{% url 'home' as home %}{{ home }}"
    )
    rendered = template.render(Context({"r": "report-1", "c": "claim-2"}))
    assert rendered == "/reports/report-1/claims/claim-2/|/reports/report-1/claims/claim-2/|[]|/"
    with pytest.raises(NoReverseMatch):
        Template("{% url 'claim_detail' r %}").render(Context({"r": "report-1"}))


urlpatterns = [path("elsewhere/<slug:slug>/", lambda request, slug: None, name="report_detail")]


def test_a_changed_urlconf_is_followed(settings):
    assert fast_reverse("report_detail", ["r-1"]) == "/reports/r-1/"
    settings.ROOT_URLCONF = __name__
    assert fast_reverse("report_detail", ["r-1"]) == "/elsewhere/r-1/" == reverse("report_detail", args=["r-1"])
