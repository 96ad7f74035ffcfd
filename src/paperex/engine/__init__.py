"""Pure matching engine and risk: no Django, no I/O."""
