#!/bin/sh
# Runs on the host before the Apache configuration is regenerated: refuse to touch
# a configuration that is already broken (someone edited it by hand?).
set -eu
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(hostname) pre regen_apache: checking the current config" >> /var/log/drover-hooks.log
if ! command -v apache2ctl >/dev/null 2>&1 && ! command -v apachectl >/dev/null 2>&1; then
  exit 0   # Apache is not installed yet: nothing to check
fi
apache2ctl -t || apachectl -t
