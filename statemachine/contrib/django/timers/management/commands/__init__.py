"""``manage.py statemachine_timers``."""
