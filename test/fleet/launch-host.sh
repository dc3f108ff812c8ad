#!/bin/sh
# Starts one systemd test-fleet host (plain hosts are started by running unshare
# directly). systemd as PID 1 needs a cgroup of its own in both hierarchies it uses
# (hybrid layout) and a cgroup namespace rooted there, so it sees that cgroup as "/".
#
# This shell supervises the host: a reboot in the host (`systemctl reboot`, `reboot`) ends its
# PID 1 by SIGHUP (the kernel's reboot() in a child pid namespace), which unshare passes on by
# ending itself with SIGHUP (status 129); the loop then starts the same host again, on the same
# upper dir and address. Any other end (a poweroff: SIGINT; a kill) ends the loop. setpriv's
# parent-death signal kills unshare (and so, by --kill-child, the host) when this shell is killed.
# Environment (set by host.ts): FLEET_CGROUP (relative cgroup path), FLEET_HOST_DIR, FLEET_HOST_NAME;
# inner-host.sh reads the rest.
set -eu
for h in systemd unified; do
  mkdir -p "/sys/fs/cgroup/$h/$FLEET_CGROUP"
  echo $$ > "/sys/fs/cgroup/$h/$FLEET_CGROUP/cgroup.procs"
done
REBOOTED=129
while :; do
  status=0
  setpriv --pdeathsig KILL unshare --mount --uts --ipc --pid --cgroup --fork --propagation private --kill-child \
    /bin/sh "$(dirname "$0")/inner-host.sh" || status=$?
  [ "$status" -eq "$REBOOTED" ] || exit "$status"
  echo "fleet host $FLEET_HOST_NAME: rebooted, starting it again"
  # A test holding the host down (Fleet.holdReboots) keeps it off until it lets go.
  while [ -e "$FLEET_HOST_DIR/hold-reboot" ]; do sleep 0.2; done
done
