#!/bin/sh
# Runs on the host before the apache role is set up. Harmless: appends one line to a log.
set -eu
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(hostname) pre setup_apache: starting" >> /var/log/drover-hooks.log
