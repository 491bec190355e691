"""Published results: each a declaration, stored once with the hash of its canonical JSON."""
