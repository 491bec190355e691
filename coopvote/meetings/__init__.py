"""General meetings: notice, agenda, proxies, attendance, motions, one count per resolution
across every channel, and minutes (docs/meetings.md)."""
