"""Operator and developer tools, registered only where the stage allows them."""
