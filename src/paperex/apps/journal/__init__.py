"""The trade journal: a user's trades, typed in or filled by Paperex's engine, and their export."""
