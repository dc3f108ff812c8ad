#!/bin/sh
# Runs on the host after the apache role was set up. Harmless: appends one line to a log.
set -eu
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(hostname) post setup_apache: done" >> /var/log/drover-hooks.log
