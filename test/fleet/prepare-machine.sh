#!/usr/bin/env bash
# Prepares this machine for drover's demo or tests: installs from the distribution's packages what the
# throwaway OpenSSH hosts (test/fleet/), the Git source and the tests need. It never starts the
# machine's own sshd, and stops and disables the one it installs, so nothing binds *:22 (the fleet
# hosts listen on 127.77.x.y:22 and start sshd themselves, whatever ssh.service says).
# Called by `npm run demo` (--demo), `npm test` and .ci/run, so they cannot drift apart; the package
# lists are here only. docs/developing.md explains the policy.
#
#   prepare-machine.sh [--demo] [--quiet] [--with-e2e-debs]
#
#   --demo           only what the demo needs (plain hosts, a Git remote, curl); without it, also what
#                    only the tests need (systemd hosts, sudo, Prometheus, Chromium, debootstrap, ...)
#   --quiet          no closing "ready" line (what it installs, and why, is always printed)
#   --with-e2e-debs  also download the .debs the end-to-end tests install on fleet hosts (CI)
#
# Exit 0: ready (or already ready). Exit 1: something is missing and cannot be installed here (not
# root, not Debian/Ubuntu, apt-get failed); the message says what to install, and nothing changed.
# A machine whose own sshd already ran is left as it was: the fleet's preflight names a *:22 listener.
set -uo pipefail
export DEBIAN_FRONTEND=noninteractive

quiet=0
e2e_debs=0
purpose=tests    # or demo: says whom the packages are for, and picks the list
for arg in "$@"; do
  case "$arg" in
    --demo) purpose=demo ;;
    --quiet) quiet=1 ;;
    --with-e2e-debs) e2e_debs=1 ;;
    *) echo "prepare-machine: unknown argument $arg" >&2; exit 2 ;;
  esac
done

# The demo: three plain hosts (sshd in namespaces), a local Git remote, the curl commands it prints.
demo_packages=(openssh-server openssh-client util-linux git curl)
# The tests, on top: systemd hosts, the sudo transport, per-host networks, process checks, and tools
# that only a test uses.
test_packages=(systemd sudo iproute2 procps prometheus chromium debootstrap nftables)
packages=("${demo_packages[@]}")
[ $purpose = tests ] && packages+=("${test_packages[@]}")

# What needs each package.
declare -A needed_for=(
  [openssh-server]="the test hosts' sshd"
  [openssh-client]="ssh, ssh-keygen"
  [util-linux]="unshare"
  [git]="the Git source"
  [curl]="HTTP checks"
  [systemd]="systemd test hosts"
  [sudo]="sudo transport tests"
  [iproute2]="per-host networks"
  [procps]="process checks"
  [prometheus]="the metrics, alert rule and dashboard tests (prometheus, promtool)"
  [chromium]="the status page test in a real browser"
  [debootstrap]="the container image test (a Debian base and buildah, each in a chroot)"
  [nftables]="the lockout guard's firewall test (a rule dropping new SSH connections, undone by the host)"
)
# A command (or file) that tells whether each package is there.
declare -A probe=(
  [openssh-server]=/usr/sbin/sshd
  [openssh-client]=ssh-keygen
  [util-linux]=unshare
  [git]=git
  [curl]=curl
  [systemd]=/lib/systemd/systemd
  [sudo]=sudo
  [iproute2]=ip
  [procps]=pgrep
  [prometheus]=promtool
  [chromium]=chromium
  [debootstrap]=/usr/sbin/debootstrap
  [nftables]=/usr/sbin/nft
)

have() {
  case "$1" in
    /*) [ -x "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing_packages() {
  local pkg
  for pkg in "${packages[@]}"; do have "${probe[$pkg]}" || echo "$pkg"; done | sort
}

is_debian_like() {
  local release=/etc/os-release
  [ -r "$release" ] || release=/usr/lib/os-release
  [ -r "$release" ] || return 1
  # In a subshell: os-release's variables stay out of this script.
  # shellcheck disable=SC1090
  (. "$release"; case " ${ID:-} ${ID_LIKE:-} " in *" debian "*|*" ubuntu "*) exit 0 ;; esac; exit 1)
}

refuse() {
  local list="$1" reasons="$2"
  local needs="drover's tests need"
  [ $purpose = demo ] && needs="drover's demo needs"
  echo "$needs these packages, which are missing: $list ($reasons)." >&2
  if ! is_debian_like || ! command -v apt-get >/dev/null 2>&1; then
    echo "This is not Debian or Ubuntu: install the equivalent packages with your distribution's package manager, then run this again as root." >&2
  else
    echo "Run this as root to have them installed (sudo npm run demo), or install them first: apt-get install -y --no-install-recommends $list" >&2
  fi
  exit 1
}

# apt itself never starts a service here: a temporary policy-rc.d (exit 101) is asked both by
# invoke-rc.d (no systemd as PID 1) and by deb-systemd-invoke (systemd as PID 1), so the packaged
# sshd never listens on *:22, not even for a moment. A policy-rc.d already there is left alone.
POLICY=/usr/sbin/policy-rc.d
made_policy=0
drop_policy() { if [ $made_policy = 1 ]; then rm -f "$POLICY"; made_policy=0; fi; }
trap drop_policy EXIT
trap 'exit 130' INT TERM

apt_install() {
  local log="$1"; shift
  # A fresh machine's unattended upgrades may hold the dpkg lock for a while: wait rather than fail.
  apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "$@" >>"$log" 2>&1
}

# Installs the missing packages; updates the package lists first only when they lack one of them
# (a brand-new machine has none), and once more if the install fails (lists older than the mirror).
install_packages() {
  local log=/tmp/drover-prepare-apt.log pkg
  : >"$log"
  if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\n# drover prepare-machine.sh: no service starts during its apt-get install\nexit 101\n' >"$POLICY" \
      && chmod 755 "$POLICY" && made_policy=1
  fi
  for pkg in "$@"; do
    apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [0-9]' && continue
    apt-get update -q >>"$log" 2>&1 || echo "warning: apt-get update failed; trying the package lists there are" >&2
    break
  done
  if ! apt_install "$log" "$@"; then
    apt-get update -q >>"$log" 2>&1
    apt_install "$log" "$@" || { tail -20 "$log" >&2; echo "apt-get install $* failed (log: $log)" >&2; return 1; }
  fi
  drop_policy
}

# The sshd that apt just installed: off now and at boot (systemctl works offline without systemd
# as PID 1, and also turns off the SysV links). The fleet hosts never need it.
disable_installed_sshd() {
  local now='' unit
  [ -d /run/systemd/system ] && now=--now
  if command -v systemctl >/dev/null 2>&1; then
    # One at a time: ssh.socket does not exist everywhere, and its absence must not keep ssh.service on.
    for unit in ssh.service ssh.socket; do systemctl disable $now "$unit" >/dev/null 2>&1 || true; done
  else
    update-rc.d ssh disable >/dev/null 2>&1 || true
  fi
  # openssh-server also links itself into runit's default runsvdir, where a running runsvdir would start it.
  rm -f /etc/runit/runsvdir/default/ssh
  # Without systemd as PID 1, sshd runs only if a policy-rc.d of the machine let apt start it.
  # (Fleet hosts' sshd has another pid file, so this cannot stop a host's sshd.)
  if [ -z "$now" ] && [ -x /etc/init.d/ssh ]; then /etc/init.d/ssh stop >/dev/null 2>&1 || true; fi
}

mapfile -t missing < <(missing_packages)
if [ ${#missing[@]} -gt 0 ]; then
  reasons=$(for pkg in "${missing[@]}"; do printf '%s: %s; ' "$pkg" "${needed_for[$pkg]}"; done)
  reasons=${reasons%; }
  if [ "$(id -u)" != 0 ] || ! is_debian_like || ! command -v apt-get >/dev/null 2>&1; then
    refuse "${missing[*]}" "$reasons"
  fi
  echo "prepare-machine: installing ${missing[*]} from the distribution's packages, for drover's $purpose ($reasons)"
  install_packages "${missing[@]}" || exit 1
  mapfile -t still < <(missing_packages)
  [ ${#still[@]} -eq 0 ] || { echo "prepare-machine: still missing after apt-get install: ${still[*]}" >&2; exit 1; }
  case " ${missing[*]} " in *" openssh-server "*) disable_installed_sshd ;; esac
fi

# The packaged Prometheus must not run either: the tests start their own on a loopback port with a
# config of their own, and systemd fleet hosts inherit the machine's unit enablement (one enabled
# prometheus.service would bind *:9090 in every such host).
if [ "$(id -u)" = 0 ] && [ -x /usr/bin/prometheus ]; then
  if [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  else
    systemctl disable prometheus.service >/dev/null 2>&1 || true
    # Only the packaged instance (its pid file), never a Prometheus a test started.
    if [ -f /run/prometheus/prometheus.pid ] && command -v service >/dev/null 2>&1; then service prometheus stop >/dev/null 2>&1 || true; fi
  fi
fi

if [ $e2e_debs = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # The end-to-end tests install these on fleet hosts (overlays of this machine's /): fresh package
  # lists and the .debs in /var/cache/apt/archives spare every host the download.
  debs=(tree apache2 nginx supervisor runit python3-gunicorn python3-venv git)
  apt-get update -q >/dev/null 2>&1 || true
  apt-get install -y -q --download-only --no-install-recommends -o DPkg::Lock::Timeout=600 "${debs[@]}" >/dev/null 2>&1 \
    || echo "warning: could not pre-download ${debs[*]}; the fleet hosts will download them" >&2
  # The fresh-machine check (test/integration/fleet/prepare-machine.test.ts) purges these on a host
  # and has this script install them again: their .debs at the candidate version, even if installed.
  apt-get install -y -q --reinstall --download-only --no-install-recommends -o DPkg::Lock::Timeout=600 openssh-server curl >/dev/null 2>&1 \
    || echo "warning: could not pre-download openssh-server curl; the fresh-machine check will download them" >&2
fi

[ $quiet = 1 ] || echo "prepare-machine: this machine is ready for drover's $purpose"
exit 0
