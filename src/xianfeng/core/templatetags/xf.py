"""Small template filters for rendering form fields with Bootstrap 5 classes.

Usage (after ``{% load xf %}``)::

    {{ field|add_class:"form-control" }}
    {% if field|widget_type == "checkboxinput" %}...{% endif %}
"""

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def add_class(field, css):
    """Render a bound field's widget with the CSS classes in ``css`` added.

    Classes already set on the widget (``widget.attrs["class"]``) are kept.
    Anything that is not a bound field is returned unchanged.
    """
    if not isinstance(field, BoundField):
        return field
    classes = field.field.widget.attrs.get("class", "").split()
    for name in str(css).split():
        if name not in classes:
            classes.append(name)
    return field.as_widget(attrs={"class": " ".join(classes)})


@register.filter
def widget_type(field):
    """Return the widget's class name in lower case, e.g. "select", "checkboxinput"."""
    if not isinstance(field, BoundField):
        return ""
    return type(field.field.widget).__name__.lower()
