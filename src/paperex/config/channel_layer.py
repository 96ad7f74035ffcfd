"""The Redis channel layer, as this project uses it.

Two rules, both from how channels_redis receives on a process's own channels: one receiver at a
time holds the process's receive lock and pops, in a loop, the messages of every channel that
shares its prefix, handing each to its channel's waiter.

- Every channel of a process is made with the default prefix (``new_channel()``). A channel
  with a prefix of its own lives in another list, which the lock holder does not pop: its
  receiver waited behind the holder until the holder's pop failed, and while a reader that
  waits for hours held the lock, the user streams of that process got nothing.
- The blocking pop (BZPOPMIN) ends well inside redis-py's read timeout (5 s by default).
  channels_redis waits 5 s as well, so on an idle process the client gave up first, and the
  TimeoutError failed whichever consumer held the lock.
"""

from __future__ import annotations

from channels_redis import core


class RedisChannelLayer(core.RedisChannelLayer):  # type: ignore[misc]
    brpop_timeout = 2
