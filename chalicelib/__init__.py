"""Baken: everything behind app.py — domain, services (use cases), adapters, and Chalice blueprints."""
