# Read by gunicorn from the working directory (bin/serve runs it from the repository root).
logger_class = "portal.gunicorn_logging.AccessLogWithoutSandbox"

# Load the project once in the master and fork the workers from it: a (re)start pays for one
# Django start, not one per worker (seconds each on a busy 2-core machine; see bin/serve).
preload_app = True


def post_fork(server, worker):
    # Nothing the master opened while loading (a database connection) is shared with a worker.
    # gunicorn reads this file before Django is configured, so Django is imported here.
    from django.db import connections

    connections.close_all()
