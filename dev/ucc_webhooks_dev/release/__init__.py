"""`make dist`: the release artifacts of a checkout."""
