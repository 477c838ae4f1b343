"""Worker side: the Celery task bodies that run task instances and the advance step."""
