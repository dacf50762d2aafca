"""A template builtin: `{% url %}` reversed by `reviewapp.links.fast_reverse`."""

from django import template

from reviewapp import links

register = template.Library()
register.tag("url", links.url)
