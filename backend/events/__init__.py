"""The events of the portal's domain, recorded in the transaction of the change that causes them.

Domain apps call `backend.events.services.record_event`; the `integration` app reads the rows (the
events feed, webhooks). Nothing here knows who consumes them.
"""
