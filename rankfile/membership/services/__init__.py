"""Membership rules. Each module holds one job; views, API, admin and commands
call these functions and nothing else writes memberships.

- ``status``: the lifecycle and its history
- ``joining``: applications (web form and API), confirmation
- ``payments``: the payment-provider interface and the offline provider
- ``changes``: a member's own changes (address, resignation)
"""
