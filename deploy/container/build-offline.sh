#!/bin/sh
# Builds deploy/container/Containerfile where no container registry is reachable (only Debian's and
# npm's): a Node 20 base image is made from a Debian minbase (debootstrap) plus this machine's node and
# npm, and buildah (itself in a debootstrapped Debian chroot, so nothing is installed on the machine)
# builds the image with chroot isolation and vfs storage. Needs root, debootstrap's files, network to
# the Debian and npm registries. Usage:
#   build-offline.sh WORK_DIR REPO_DIR     (WORK_DIR keeps the chroots and the image storage)
# Prints the image's config (user, entrypoint, healthcheck, volumes) and `drover --version` run in it.
set -eu
# In a mount namespace of its own: the chroots' /proc, /sys and /dev mounts end with this process,
# even when it is killed, and never show outside (where `rm -rf WORK` would descend into them).
if [ -z "${DROVER_BUILD_NS:-}" ]; then DROVER_BUILD_NS=1 exec unshare --mount --propagation private /bin/sh "$0" "$@"; fi
mkdir -p "$1"
WORK=$(realpath "$1")
REPO=$(realpath "$2")
TOOLS=$WORK/tools          # Debian + buildah: where the build runs
BASE=$WORK/base            # Debian minbase: becomes localhost/node:20-bookworm-slim
DBS=${DEBOOTSTRAP_DIR:-/usr/share/debootstrap}
DEBOOTSTRAP=${DEBOOTSTRAP:-debootstrap}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# One build at a time in WORK (test runs of several checkouts share /var/tmp/drover-image).
exec 9>"$WORK/lock"
flock 9

# A chroot is reused only when debootstrap finished it (its marker file): an interrupted or failed one
# is made again from scratch, never used half-configured (buildah unpacked, its policy.json not).
chroot_of() {  # DIR [--include=...]
  dir=$1; shift
  [ -e "$dir/.drover-debootstrap-done" ] && return 0
  # What an older, killed build left mounted there is unmounted (in this namespace only), and rm stays
  # on the one file system: never into a bind-mounted /dev or /sys.
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
  rm -rf --one-file-system "$dir"
  DEBOOTSTRAP_DIR=$DBS "$DEBOOTSTRAP" --variant=minbase "$@" bookworm "$dir" "$MIRROR"
  : > "$dir/.drover-debootstrap-done"
}
# debootstrap does not resolve virtual packages: buildah's golang-github-containers-common needs a
# container-network-stack, so name one (netavark), or dpkg leaves it unconfigured, without
# /etc/containers/policy.json (chroot isolation never uses the network stack).
chroot_of "$TOOLS" --include=buildah,ca-certificates,crun,netavark
chroot_of "$BASE"

# Node 20 as the official image has it: /usr/local/bin/node, npm under /usr/local/lib/node_modules.
install -D -m 0755 "$(command -v node)" "$BASE/usr/local/bin/node"
mkdir -p "$BASE/usr/local/lib/node_modules"
rm -rf "$BASE/usr/local/lib/node_modules/npm" && cp -a "$(dirname "$(realpath "$(command -v npm)")")/.." "$BASE/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$BASE/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$BASE/usr/local/bin/npx"
rm -rf "$BASE/var/cache/apt/archives"/*.deb
# The machine's CA bundle, so npm in the build trusts what the machine trusts (a TLS-inspecting proxy
# in front of the registry, where there is one).
CA=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
if [ -f "$CA" ]; then
  install -D -m 0644 "$CA" "$BASE/usr/local/share/drover-build/ca.crt"
  mkdir -p "$BASE/usr/local/etc" && printf 'cafile=/usr/local/share/drover-build/ca.crt\n' > "$BASE/usr/local/etc/npmrc"
fi

# The build context: exactly the committed files.
rm -rf "$TOOLS/src" && mkdir -p "$TOOLS/src" "$TOOLS/base"
git -C "$REPO" archive HEAD | tar -x -C "$TOOLS/src"
cp /etc/resolv.conf "$TOOLS/etc/resolv.conf"

# The chroot's / must be a mount point: containers/storage remounts it while it unpacks layers.
mount --bind "$TOOLS" "$TOOLS"
mount --make-private "$TOOLS"
mount -t proc proc "$TOOLS/proc"
mount --rbind /sys "$TOOLS/sys"
mount --rbind /dev "$TOOLS/dev"
mount --bind "$BASE" "$TOOLS/base"

chroot "$TOOLS" /bin/sh -eu <<'IN'
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
ctr=$(buildah from scratch)
buildah copy --quiet "$ctr" /base /
buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd node "$ctr"
[ -f /base/usr/local/share/drover-build/ca.crt ] && buildah config --env NODE_EXTRA_CA_CERTS=/usr/local/share/drover-build/ca.crt "$ctr"
buildah commit --quiet --format docker "$ctr" localhost/node:20-bookworm-slim
buildah rm "$ctr" >/dev/null
cd /src
buildah bud --format docker --layers=false --build-arg NODE_IMAGE=localhost/node:20-bookworm-slim \
  -f deploy/container/Containerfile -t localhost/drover:test .
buildah inspect --type image --format 'user={{.Docker.Config.User}} entrypoint={{.Docker.Config.Entrypoint}} cmd={{.Docker.Config.Cmd}} volumes={{.Docker.Config.Volumes}} env={{.Docker.Config.Env}} healthcheck={{.Docker.Config.Healthcheck.Test}}' localhost/drover:test
echo
ctr=$(buildah from localhost/drover:test)
buildah run --user 10001:10001 "$ctr" -- drover --version
buildah run --user 10001:10001 "$ctr" -- sh -c 'id -u; git --version; ssh -V 2>&1; test -x /usr/bin/tini && echo tini'
buildah rm "$ctr" >/dev/null
IN
