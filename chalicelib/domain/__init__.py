"""Pure domain: cases, catalogue, deadlines, events, matching, notifications. No AWS, Chalice or pynamodb."""
