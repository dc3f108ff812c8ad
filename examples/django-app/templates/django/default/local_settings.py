# Managed by drover from templates/django/default/local_settings.py; local edits are overwritten.
# Imported by the project's settings (PYTHONPATH=/etc/django is set by supervisor):
#     try:
#         from local_settings import *  # noqa
#     except ImportError:
#         pass

SECRET_KEY = '{{ secret("django_secret_key") }}'
DEBUG = {{ "True" if debug else "False" }}
ALLOWED_HOSTS = ['{{ domain }}'{% for name in server_aliases %}, '{{ name }}'{% endfor %}{% if bind_address %}, '{{ bind_address }}'{% endif %}, 'localhost', '127.0.0.1']  # localhost: drover's http check

STATIC_ROOT = '/opt/django/app/static'
ADMINS = [('{{ host.name }} admins', '{{ admin_email }}')]
SERVER_EMAIL = 'django@{{ domain }}'
