#!/bin/sh
# Starts one test-fleet host in new mount/uts/ipc/pid (and, for systemd hosts, cgroup)
# namespaces. Runs on the machine; inner-host.sh becomes PID 1 of the namespaces.
# Environment (set by host.ts): FLEET_HOST_DIR, FLEET_SYSTEMD (0|1), FLEET_CGROUP
# (relative cgroup path, systemd hosts only); inner-host.sh reads the rest.
set -eu

if [ "${FLEET_SYSTEMD:-0}" = 1 ]; then
  # systemd as PID 1 needs a cgroup of its own in both hierarchies it uses (hybrid layout)
  # and a cgroup namespace rooted there, so it sees that cgroup as "/".
  for h in systemd unified; do
    mkdir -p "/sys/fs/cgroup/$h/$FLEET_CGROUP"
    echo $$ > "/sys/fs/cgroup/$h/$FLEET_CGROUP/cgroup.procs"
  done
  exec unshare --mount --uts --ipc --pid --cgroup --fork --propagation private --kill-child \
    /bin/sh "$(dirname "$0")/inner-host.sh"
fi

exec unshare --mount --uts --ipc --pid --fork --propagation private --kill-child \
  /bin/sh "$(dirname "$0")/inner-host.sh"
