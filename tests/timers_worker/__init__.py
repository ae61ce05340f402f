"""A small Django project for the durable timers' worker tests (tests/test_timers_worker.py).

The tests run it in subprocesses: ``driver.py`` sets up the database, creates rows and
schedules their timers, and reports what happened; real ``manage.py db_worker`` processes
(django-tasks-db) fire the timers. ``TIMERS_WORKER_DB`` chooses the database:
``postgres:<name>`` or ``sqlite:<path>``.
"""
