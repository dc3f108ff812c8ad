#!/bin/sh
# PID 1 of a test-fleet host: overlays "/", mounts fresh
# /proc, /run and /tmp, sets the hostname, then execs sshd (plain host) or systemd
# (systemd host). host-root.ts has already written the host's own files (sshd config,
# keys, /etc/hostname, ...) into the upper dir.
# Environment: FLEET_HOST_DIR, FLEET_HOST_NAME, FLEET_SYSTEMD (0|1).
set -eu
H=$FLEET_HOST_DIR
M=$H/merged

# After a reboot the previous boot's overlay may take a moment to be released: a few tries.
tries=0
until mount -t overlay overlay -o "lowerdir=/,upperdir=$H/upper,workdir=$H/work" "$M"; do
  tries=$((tries + 1))
  [ "$tries" -lt 20 ] || {
    echo "fleet host $FLEET_HOST_NAME: overlay mount failed (lowerdir=/, upperdir=$H/upper)" >&2
    exit 90
  }
  sleep 0.1
done
mount -t proc proc "$M/proc"
# Each boot of a host has a boot id of its own (the kernel's is the machine's, shared by all
# hosts), bound over the host's /proc/sys/kernel/random/boot_id once /proc/sys is final.
cat /proc/sys/kernel/random/uuid > "$H/boot_id"
BOOT_ID=$M/proc/sys/kernel/random/boot_id
mount -t tmpfs -o mode=755 tmpfs "$M/run"
# A fresh /tmp hides the fleet dir (when it is on /tmp) from the host: without it the
# overlay would loop (ELOOP) through its own upper dir.
mount -t tmpfs -o mode=1777 tmpfs "$M/tmp"
mount --rbind /dev "$M/dev"
# The machine's /dev/shm may hold the fleet dirs; each host gets its own.
mount -t tmpfs -o mode=1777 tmpfs "$M/dev/shm"
hostname "$FLEET_HOST_NAME"
# The machine's policy-rc.d (exit 101) would stop apt from starting services in the host.
rm -f "$M/usr/sbin/policy-rc.d"

if [ "${FLEET_SYSTEMD:-0}" != 1 ]; then
  mount --rbind /sys "$M/sys"
  mkdir "$M/run/sshd"
  mount --bind "$H/boot_id" "$BOOT_ID"
  exec chroot "$M" /usr/sbin/sshd -D -e -f /etc/ssh/drover/sshd_config
fi

# systemd host: read-only sysfs and /proc/sys, its own cgroup hierarchies (the cgroup
# namespace makes their root this host's cgroup), a private console.
mount -t sysfs -o ro sysfs "$M/sys"
mount -t tmpfs -o mode=755 tmpfs "$M/sys/fs/cgroup"
mkdir "$M/sys/fs/cgroup/systemd" "$M/sys/fs/cgroup/unified"
mount -t cgroup -o none,name=systemd cgroup "$M/sys/fs/cgroup/systemd"
mount -t cgroup2 cgroup2 "$M/sys/fs/cgroup/unified"
mount --bind "$M/proc/sys" "$M/proc/sys"
mount -o remount,bind,ro "$M/proc/sys"
mount --bind "$H/boot_id" "$BOOT_ID"
: > "$H/console"
mount --bind "$H/console" "$M/dev/console"

export container=other
exec chroot "$M" /lib/systemd/systemd
