"""Small template helpers available in every template (registered as builtins in settings)."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ counts|get_item:level }}``: a dictionary value by a variable key."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
