"""Dispatchers: the contract (``base``) and one module per way of running jobs."""
