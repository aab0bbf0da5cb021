"""The local stack: moto server, infrastructure from infra/, demo data, chalice local and the event runner."""
