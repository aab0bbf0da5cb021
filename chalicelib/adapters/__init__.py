"""Adapters: the technology behind each port (DynamoDB, SQS, SES, jinja2, JWT) and in-memory twins."""
