from django import template

register = template.Library()


@register.filter
def pounds(pence: int | None) -> str:
    """Format an amount in pence as pounds: 2500 → "£25.00"."""
    if pence is None:
        return ""
    return f"£{pence // 100:,}.{pence % 100:02d}"
