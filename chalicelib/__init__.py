"""Baken: everything behind ``app.py``. Any behaviour is two hops away: find its step below, then its file.

The data path, from a behandelaar's click to a person's mailbox and back:

1. **write** — ``routes/api/cases.py`` and ``routes/pages/work.py`` call ``services/case_commands.py``, which
   applies a rule of ``domain/cases.py`` and saves the case (``adapters/dynamodb/repositories.py``).
   Announcements: ``routes/*/announcements.py`` → ``services/announcements.py`` (four eyes).
2. **stream** — DynamoDB Streams hands the change to ``handlers/on_case_change.py``; the record is decoded by
   ``adapters/dynamodb/stream.py`` into a ``domain/changes.py`` value.
3. **match** — ``services/fanout.py`` derives what happened (``domain/events.py``), finds who hears of it
   (``domain/matching.py`` over the flat index of ``domain/subscriptions.py``; areas in ``domain/geo/``), reads
   their preferences from their subscriber records, and plans one notification per person and channel
   (``domain/notifications.py``, quiet hours and digests in ``domain/schedule.py``). The index itself is built
   off the request: a subscription write stores its definition, and the subscriptions table's stream hands it
   to ``handlers/on_subscription_change.py`` → ``services/indexing.py`` (bounded chunks). An audience larger
   than one unit (1,000 entries) is told in jobs, one page of one interest key each, on the jobs queue:
   ``handlers/fan_out_job.py`` → ``services/jobs.py`` → ``FanOut.run_job``.
4. **outbox** — each notification is written once (a conditional put: the outbox is the idempotency guard)
   and, unless held, queued (``adapters/sqs_queue.py``, FIFO, one group per person).
5. **deliver** — ``handlers/deliver.py`` → ``services/delivery.py`` (claim, send, record: the state machine),
   which asks ``services/composer.py`` what the message says and sends it by e-mail (``adapters/ses_email.py``),
   to the berichtenbox, or as a letter (``adapters/sqs_letters.py``); words from ``templates/``.
   Held e-mail and digests: ``handlers/release_held_email.py`` queues one job per shard of held e-mail, and
   ``handlers/fan_out_job.py`` runs each with ``services/digests.py``; stuck ones:
   ``handlers/reconcile_notifications.py`` → ``services/reconciler.py``.
6. **feedback** — bounces and complaints reach ``handlers/on_ses_feedback.py`` (decoded by
   ``adapters/ses_feedback.py``) → ``services/feedback.py``, which stops the channel that failed.
7. **read** — the applicant, the KCC and the behandelaar read through ``services/case_queries.py``
   (``routes/api/applicant.py``, ``routes/pages/applicant.py``, ``routes/pages/kcc.py``).
8. **send in** — an applicant's file goes from the case page straight to the documents bucket (a presigned POST);
   ``routes/pages/applicant.py`` → ``services/documents.py`` checks and keeps it (``domain/documents.py``,
   ``adapters/s3_documents.py``) and records it with ``domain/cases.py`` (``record_file``); the behandelaar's
   verdict is a command of step 1 (``accept_document``, ``ask_document_again``).

Around it: ``web/`` is the toolkit every route builds on (``endpoint`` for JSON, ``page`` for HTML);
``services/ports.py`` names what the services need and ``adapters/`` provides it (in memory too, in
``adapters/memory.py``); ``wiring.py`` builds the graph; ``config.py`` reads the settings; ``observability.py``
logs, counts and audits; ``ops.py`` holds the operator's commands.
"""
