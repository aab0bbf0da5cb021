"""Use cases. They receive their ports (see ports.py) and know nothing of the technology behind them."""
