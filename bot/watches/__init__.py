"""Watches: a person watches an order, account, deal, case or contract, and acctbot DMs
them when it changes in Salesforce (``/watch``; the check runs in ``jobs/watches.py``)."""
