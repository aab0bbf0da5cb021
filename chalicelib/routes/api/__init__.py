"""The JSON API: one blueprint per audience or resource."""
