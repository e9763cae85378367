"""The rules, one module each; `lint/registry.py` lists them."""
