"""Pure value types shared by every layer: no Django, no I/O."""
