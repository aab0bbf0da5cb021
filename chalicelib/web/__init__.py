"""The web toolkit: what every route module builds on.

- ``request``: the request being answered (a context variable), body limits, path-parameter checks.
- ``problems``: RFC 9457 problem+json answers for the JSON API.
- ``endpoint``: the JSON request pipeline (``endpoint`` decorator, ``RequestContext``, ``json_response``).
- ``bodies``, ``schema``, ``places``: the request bodies the API and the pages share, and their validation.
- ``responses``, ``presenters``, ``openapi``: what the API answers and how it is documented.
- ``pages``: the HTML page pipeline (``page`` and ``public_page`` decorators, ``render``, ``redirect``).
- ``forms``, ``session``, ``texts``, ``views``: form fields, the signed session cookie, page texts in both
  languages, and the case views the applicant's and the staff's pages share.

Route modules (``chalicelib.routes``) import from here, from the services and from the domain — never from
each other.
"""
