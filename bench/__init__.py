"""Benchmarks: cold start, package size, DynamoDB operations per status change, notifications per second."""
