"""Services that change local structure: importing it, and boundary changes."""
