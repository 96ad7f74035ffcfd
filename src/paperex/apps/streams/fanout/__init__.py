"""The fan-out machinery: each market event encoded once and the same bytes written to every
subscribed socket. No business rules live here; the consumers decide who subscribes to what."""
