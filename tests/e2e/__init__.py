"""Browser tests: the real extension, host, SIP stack and browsers. A package, so that its
conftest and helpers never shadow the unit tests' own top-level `conftest` module."""
