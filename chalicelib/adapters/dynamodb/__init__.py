"""DynamoDB through pynamodb."""
