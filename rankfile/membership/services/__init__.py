"""Membership rules. Each module holds one job; views, API, admin and commands
call these functions and nothing else writes memberships.

- ``status``: the lifecycle and its history
- ``joining``: applications (web form and API), confirmation
- ``payments``: the payment-provider interface, the offline provider, recording payments
- ``stripe_provider``: cards and Bacs Direct Debit through Stripe Checkout, its webhook
- ``refunds``: refunds through Stripe or by hand
- ``bank``: bank statements, reconciled against payment and membership references
- ``dues``: arrears from payments, the daily move into arrears and lapse
- ``mail``: the one place these send e-mail from
- ``changes``: a member's own changes (address, resignation)
"""
