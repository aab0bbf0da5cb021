"""The HTTP routes, one module per audience or resource, split by kind.

- ``api``: the JSON API (public catalogue, cases, the applicant's own data, subscriptions, announcements).
- ``pages``: the HTML pages (site, e-mail links, login, applicant, following, KCC, work list, announcements).
- ``tools``: operator and developer tools (registered only in the local stage).

Each module holds one Chalice blueprint; ``app.py`` registers them all.
"""
