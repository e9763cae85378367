"""The real-REANA tier: the real reana-server 0.9.4 in the test suite (see README.md)."""
