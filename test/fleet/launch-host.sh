#!/bin/sh
# Starts one systemd test-fleet host (plain hosts are started by running unshare
# directly). systemd as PID 1 needs a cgroup of its own in both hierarchies it uses
# (hybrid layout) and a cgroup namespace rooted there, so it sees that cgroup as "/".
# Environment (set by host.ts): FLEET_CGROUP (relative cgroup path); inner-host.sh reads the rest.
set -eu
for h in systemd unified; do
  mkdir -p "/sys/fs/cgroup/$h/$FLEET_CGROUP"
  echo $$ > "/sys/fs/cgroup/$h/$FLEET_CGROUP/cgroup.procs"
done
exec unshare --mount --uts --ipc --pid --cgroup --fork --propagation private --kill-child \
  /bin/sh "$(dirname "$0")/inner-host.sh"
