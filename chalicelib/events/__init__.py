"""Event blueprints: the DynamoDB stream handler and the SQS delivery handler."""
