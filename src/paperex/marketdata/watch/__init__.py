"""``paperex watch``: a live console stream of one market's klines or trades."""
