#!/bin/sh
# Runs on the host after the Apache configuration was regenerated, before Apache is
# reloaded: a failure here fails the step, and drover restores the previous files.
set -eu
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(hostname) post regen_apache: checking the new config" >> /var/log/drover-hooks.log
apache2ctl -t || apachectl -t
