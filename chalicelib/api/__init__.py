"""HTTP blueprints: parse, authorise, call a service, shape the answer."""
