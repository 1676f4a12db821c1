"""The queue core: issue, call, states, estimates, events, quotas, the site as the queue sees it."""
