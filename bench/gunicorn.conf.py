"""gunicorn during `make bench`: nothing here on purpose.

The benchmark passes its worker count and class on the command line (bench/__main__.py)
and names this file so that gunicorn does not load the project's production
configuration (config/gunicorn.conf.py), whose worker count follows the machine.
"""
