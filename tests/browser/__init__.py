"""Browser tests: the real hub in its own process, driven by Debian's Chromium."""
