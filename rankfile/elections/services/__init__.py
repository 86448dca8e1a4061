"""The elections' rules: set up (setup.py), the roll (roll.py), credentials
(credentials.py), casting (casting.py), and close, count and publish (count.py)."""
