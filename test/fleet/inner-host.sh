#!/bin/sh
# PID 1 of a test-fleet host (see /work/shared/FLEET.md): overlays "/", mounts fresh
# /proc, /run and /tmp, sets the hostname, installs the sshd files prepared by host.ts
# in $FLEET_HOST_DIR/ssh, then execs sshd (plain host) or systemd (systemd host).
# Environment: FLEET_HOST_DIR, FLEET_HOST_NAME, FLEET_HOST_ADDR, FLEET_SYSTEMD (0|1), FLEET_MACHINE_ID.
set -eu
H=$FLEET_HOST_DIR
M=$H/merged

fail() { echo "fleet host $FLEET_HOST_NAME: $*" >&2; exit 90; }

mount -t overlay overlay -o "lowerdir=/,upperdir=$H/upper,workdir=$H/work" "$M" \
  || fail "overlay mount failed (lowerdir=/, upperdir=$H/upper)"
mount -t proc proc "$M/proc"
mount -t tmpfs -o mode=755 tmpfs "$M/run"
# A fresh /tmp hides the fleet dir (and so the upper dir) from the host: without it the
# overlay would loop (ELOOP) through its own upper dir.
mount -t tmpfs -o mode=1777 tmpfs "$M/tmp"
mount --rbind /dev "$M/dev"
hostname "$FLEET_HOST_NAME"
echo "$FLEET_HOST_NAME" > "$M/etc/hostname"
# so that sudo and friends resolve the host's own name
printf '%s\t%s\n' "$FLEET_HOST_ADDR" "$FLEET_HOST_NAME" >> "$M/etc/hosts"

cp /etc/skel/.bashrc /etc/skel/.profile "$M/root/"
# The machine's policy-rc.d (exit 101) would stop apt from starting services in the host.
rm -f "$M/usr/sbin/policy-rc.d"
mkdir -p "$M/etc/ssh/drover"
cp "$H/ssh/ssh_host_ed25519_key" "$H/ssh/ssh_host_ed25519_key.pub" "$H/ssh/authorized_keys" \
  "$M/etc/ssh/drover/"
chmod 600 "$M/etc/ssh/drover/ssh_host_ed25519_key"

if [ "${FLEET_SYSTEMD:-0}" != 1 ]; then
  mount --rbind /sys "$M/sys"
  cp "$H/ssh/sshd_config" "$M/etc/ssh/drover/sshd_config"
  mkdir -p "$M/run/sshd"
  exec chroot "$M" /usr/sbin/sshd -D -e -f /etc/ssh/drover/sshd_config
fi

# systemd host: read-only sysfs and /proc/sys, its own cgroup hierarchies (the cgroup
# namespace makes their root this host's cgroup), a private console.
mount -t sysfs -o ro sysfs "$M/sys"
mount -t tmpfs -o mode=755 tmpfs "$M/sys/fs/cgroup"
mkdir -p "$M/sys/fs/cgroup/systemd" "$M/sys/fs/cgroup/unified"
mount -t cgroup -o none,name=systemd cgroup "$M/sys/fs/cgroup/systemd"
mount -t cgroup2 cgroup2 "$M/sys/fs/cgroup/unified"
mount --bind "$M/proc/sys" "$M/proc/sys"
mount -o remount,bind,ro "$M/proc/sys"
: > "$H/console"
mount --bind "$H/console" "$M/dev/console"

echo "$FLEET_MACHINE_ID" > "$M/etc/machine-id"
cp "$H/ssh/sshd_config" "$M/etc/ssh/sshd_config"
# Units that make no sense in a test host, are slow, or would bind shared ports.
for unit in getty@tty1.service getty@.service console-getty.service serial-getty@.service \
  container-getty@.service systemd-timesyncd.service systemd-pstore.service \
  apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer man-db.timer fstrim.timer \
  e2scrub_all.timer e2scrub_reap.service postgresql.service systemd-networkd-wait-online.service; do
  ln -sf /dev/null "$M/etc/systemd/system/$unit"
done

export container=other
exec chroot "$M" /lib/systemd/systemd
