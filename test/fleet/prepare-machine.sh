#!/usr/bin/env bash
# Prepares this machine for drover's demo and tests: installs from the distribution's packages what
# the throwaway OpenSSH hosts (test/fleet/), the Git source and the tests need, and leaves the
# machine's own sshd stopped and disabled, so nothing binds *:22 (the fleet hosts listen on
# 127.77.x.y:22). Called by `npm run demo` and by .ci/run, so the two cannot drift apart.
#
#   prepare-machine.sh [--quiet] [--with-e2e-debs]
#
# Exit 0: ready (or already ready). Exit 1: something is missing and cannot be installed here (not
# root, not Debian/Ubuntu, apt-get failed); the message says what to install, and nothing changed.
set -uo pipefail
export DEBIAN_FRONTEND=noninteractive

quiet=0
e2e_debs=0
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=1 ;;
    --with-e2e-debs) e2e_debs=1 ;;
    *) echo "prepare-machine: unknown argument $arg" >&2; exit 2 ;;
  esac
done

# command -> Debian package that provides it
declare -A provides=(
  [/usr/sbin/sshd]=openssh-server
  [ssh]=openssh-client
  [ssh-keygen]=openssh-client
  [unshare]=util-linux
  [git]=git
  [sudo]=sudo
  [curl]=curl
  [/lib/systemd/systemd]=systemd
  [ip]=iproute2
  [promtool]=prometheus
  [prometheus]=prometheus
  [chromium]=chromium
)
why="throwaway OpenSSH test hosts (sshd, ssh-keygen, unshare, systemd), the Git source (git), sudo transport tests, HTTP checks (curl), per-host networks (ip), the metrics, alert rule and dashboard tests (prometheus, promtool), the status page test in a real browser (chromium)"

have() {
  case "$1" in
    /*) [ -x "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing=()
for cmd in "${!provides[@]}"; do
  have "$cmd" || missing+=("${provides[$cmd]}")
done
# unique, sorted
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
fi

is_debian_like() {
  [ -r /etc/os-release ] || return 1
  # shellcheck disable=SC1091
  . /etc/os-release
  case " ${ID:-} ${ID_LIKE:-} " in
    *" debian "*|*" ubuntu "*) return 0 ;;
  esac
  return 1
}

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! is_debian_like || ! command -v apt-get >/dev/null 2>&1; then
    echo "drover needs these packages for the demo and tests: ${missing[*]} ($why)." >&2
    if [ "$(id -u)" != 0 ]; then
      echo "Run as root so they can be installed, or install them first (Debian/Ubuntu: apt-get install -y ${missing[*]})." >&2
    else
      echo "This is not Debian or Ubuntu: install the equivalent packages with your distribution's package manager." >&2
    fi
    exit 1
  fi
  echo "installing ${missing[*]} from the distribution's packages, for $why"
  apt-get update -q >/dev/null || echo "warning: apt-get update failed; trying the cached package lists" >&2
  # Keep apt from starting the packaged sshd on *:22 on machines without systemd as PID 1
  # (sysv-rc asks policy-rc.d); a policy-rc.d already there is left alone.
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && made_policy=1
  fi
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/drover-prepare-apt.log 2>&1
  status=$?
  [ $made_policy = 1 ] && rm -f "$policy"
  if [ $status -ne 0 ]; then
    tail -20 /tmp/drover-prepare-apt.log >&2
    echo "apt-get install ${missing[*]} failed (log: /tmp/drover-prepare-apt.log)" >&2
    exit 1
  fi
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

# The machine's own sshd must neither run on *:22 nor come back at boot: the fleet hosts bind
# 127.77.x.y:22 and start their own sshd (test/fleet/host-root.ts), never the machine's unit.
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/sshd ]; then
  if [ -d /run/systemd/system ]; then
    systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
  else
    systemctl disable ssh.service ssh.socket >/dev/null 2>&1 || true
    if command -v service >/dev/null 2>&1 && [ -x /etc/init.d/ssh ]; then service ssh stop >/dev/null 2>&1 || true; fi
  fi
fi

if [ $e2e_debs = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # The end-to-end tests install these on fleet hosts (overlays of this machine's /): fresh package
  # lists and the .debs in /var/cache/apt/archives spare every host the download.
  debs=(tree apache2 nginx supervisor runit python3-gunicorn python3-venv git)
  [ ${#missing[@]} -gt 0 ] || apt-get update -q >/dev/null || true
  apt-get install -y -q --download-only --no-install-recommends "${debs[@]}" >/dev/null 2>&1 \
    || echo "warning: could not pre-download ${debs[*]}; the fleet hosts will download them" >&2
fi

[ $quiet = 1 ] || echo "machine ready for drover's test hosts"
exit 0
