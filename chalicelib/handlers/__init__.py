"""The Lambda functions other than the API, one module each, named as the function is in
``.chalice/config.json``: the trigger, the partial-batch bookkeeping and one service call.

- ``on_case_change``: the cases table's stream → ``FanOut`` (notifications in the outbox, jobs on the queue)
- ``on_subscription_change``: the subscriptions table's stream → ``Indexer`` (a subscription's index, in chunks)
- ``deliver``: the delivery queue → ``Delivery`` (e-mail, berichtenbox, letter)
- ``release_held_email``: every 5 minutes → ``DigestRun.schedule`` (one job per shard of held e-mail)
- ``fan_out_job``: the jobs queue → ``Jobs`` (a page of an event's audience, a shard or group of digests)
- ``reconcile_notifications``: every 5 minutes → ``Reconciler`` (stuck notifications)
- ``watch_deadlines``: every 5 minutes → ``DeadlineWatch`` (document reminders, term alerts)
- ``on_ses_feedback``: the SES feedback queue → ``FeedbackRecorder`` (bounces, complaints)
"""
