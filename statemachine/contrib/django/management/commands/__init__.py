"""``manage.py graph_statemachines``."""
