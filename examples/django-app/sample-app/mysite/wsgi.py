"""A stand-in for a Django project's mysite/wsgi.py: a plain WSGI callable.

It lets the example be deployed without Django or network access. A real
project's wsgi.py returns django.core.wsgi.get_wsgi_application() instead.
"""

try:
    import local_settings  # /etc/django/local_settings.py, rendered by drover
except ImportError:
    local_settings = None


def application(environ, start_response):
    """Answers every request with a short status page (never the secret itself)."""
    configured = local_settings is not None and len(getattr(local_settings, 'SECRET_KEY', '')) >= 50
    body = (
        'mysite is up\n'
        f'settings loaded: {"yes" if configured else "no"}\n'
        f'debug: {getattr(local_settings, "DEBUG", None)}\n'
    ).encode()
    start_response('200 OK', [('Content-Type', 'text/plain; charset=utf-8'),
                              ('Content-Length', str(len(body)))])
    return [body]
