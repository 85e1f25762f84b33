# Read by gunicorn from the working directory (bin/serve runs it from the repository root).
logger_class = "portal.gunicorn_logging.AccessLogWithoutSandbox"
