#!/usr/bin/env bash
# Checks the cluster-as-code in vagrant/ without a hypervisor:
#   1. ansible-playbook --syntax-check of every playbook, against the cluster inventory;
#   2. the catalog's Marathon templates (config/apps/<app>/) rendered by Ansible as deploy-app.yml renders
#      them equal opsbot's rendering (ansible/render-check/expected/<app>.json), compared as parsed JSON;
#   3. ansible-lint (Debian's package) with vagrant/.ansible-lint;
#   4. the Vagrantfile: `vagrant validate` when Debian has a vagrant package, else `ruby -c`;
#   5. the roles that run without systemd (common, docker, rsyslog, registry, zookeeper, opsbot)
#      applied twice to a Debian bookworm container; the second run must report changed=0.
# Installs what it needs with apt when run as root (serialised on /tmp/apt.lock); with CI=true a
# missing tool that cannot be installed is a failure, never a skip.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ans="$here/ansible"
image="opsbot/debian-bookworm-ansible:check"   # cached between runs: built only when absent
container="opsbot-vagrant-check-$$"
work="$(mktemp -d /tmp/opsbot-vagrant-check.XXXXXX)"
# Logs of the last run stay here for a look after a failure.
logs="${VAGRANT_CHECK_LOGS:-/tmp/opsbot-vagrant-check-logs}"
# Packages the container downloads are kept here between runs (apt checks them against the lists).
debs="${VAGRANT_CHECK_DEBS:-/var/cache/opsbot-vagrant-check/debs}"
mkdir -p "$logs" "$debs/partial"
# One check at a time on a machine: concurrent runs would share the package cache (and its apt lock) and
# the cached image while it is being built.
exec 8>"${debs%/debs}/check.lock"
flock 8
started=$SECONDS

log() { printf '[vagrant/check %3ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() { printf '[vagrant/check] FAIL: %s\n' "$*" >&2; exit 1; }

cleanup() {
  docker rm -f "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

export ANSIBLE_CONFIG="$ans/ansible.cfg"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PY_COLORS=0
export VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_DISABLE_VBOXSYMLINKCREATE=1

apt_updated=false
apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    fail "missing: $* — install these Debian packages (needs root and apt-get)"
  fi
  if [ "$apt_updated" = false ]; then
    flock /tmp/apt.lock apt-get update -qq
    apt_updated=true
  fi
  log "installing $* with apt"
  DEBIAN_FRONTEND=noninteractive flock /tmp/apt.lock \
    apt-get install -y -qq --no-install-recommends "$@" >"$work/apt.log" 2>&1 \
    || { tail -20 "$work/apt.log" >&2; fail "apt-get install $* failed"; }
}

# command -> Debian package; installed together in one apt run.
need_commands() {
  local missing=() pair cmd pkg
  for pair in "$@"; do
    cmd="${pair%%:*}"; pkg="${pair#*:}"
    command -v "$cmd" >/dev/null || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || fail "${pair%%:*} still missing after installing ${pair#*:}"
  done
}

# ---------------------------------------------------------------- tools
need_commands ansible-playbook:ansible ansible-lint:ansible-lint debootstrap:debootstrap \
  ruby:ruby docker:docker.io flock:util-linux

collections="$(ansible-galaxy collection list community.docker 2>/dev/null || true)"
if grep -q 'community.docker' <<<"$collections"; then
  connection="community.docker.docker"
else
  connection="docker"   # ansible-core's own plugin, when the collection is not shipped
fi
log "ansible: $(ansible --version 2>/dev/null | sed -n 1p); ansible-lint: $(ansible-lint --version 2>/dev/null | sed -n 1p); connection plugin: $connection"

# ---------------------------------------------------------------- 1. syntax
cd "$ans"
for playbook in site.yml apps.yml deploy-only.yml render-check.yml container-check.yml; do
  ansible-playbook --syntax-check -i inventory/hosts.yml "$playbook" >"$work/syntax.log" 2>&1 \
    || { cat "$work/syntax.log" >&2; fail "syntax check of $playbook"; }
  log "syntax ok: $playbook"
done

# ---------------------------------------------------------------- 2. Ansible renders the catalog as opsbot does
rendered="$work/rendered"; mkdir -p "$rendered"
(cd "$ans" && ansible-playbook -i localhost, render-check.yml -e render_out="$rendered") >"$logs/render-check.log" 2>&1 \
  || { tail -30 "$logs/render-check.log" >&2; fail "Ansible could not render the catalog's templates (log: $logs/render-check.log)"; }
for got in "$rendered"/*.json; do
  [ -f "$ans/render-check/expected/$(basename "$got")" ] \
    || fail "config/apps/$(basename "$got" .json) has no render-check/expected/$(basename "$got"); regenerate the expected files (vagrant/README.md)"
done
for expected in "$ans"/render-check/expected/*.json; do
  app="$(basename "$expected" .json)"
  [ -f "$rendered/$app.json" ] || fail "render-check.yml wrote no $app.json; its apps list and render-check/expected/ differ"
  # Parsed, keys sorted: formatting and key order do not count, every value does.
  python3 - "$expected" "$rendered/$app.json" "$app" <<'PY' || fail "Ansible renders $app's Marathon template differently from opsbot (above)"
import difflib, json, sys
expected, actual, app = sys.argv[1:]
def canonical(path):
    with open(path) as f:
        return json.dumps(json.load(f), indent=2, sort_keys=True).splitlines()
a, b = canonical(expected), canonical(actual)
if a != b:
    sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(
        a, b, "opsbot (render-check/expected/%s.json)" % app, "ansible (render-check.yml)", lineterm=""))
    sys.exit(1)
PY
done
log "render check ok: Ansible's rendering equals opsbot's for $(cd "$ans/render-check/expected" && ls *.json | sed 's/\.json$//' | paste -sd' ')"

# ---------------------------------------------------------------- 3. lint
cd "$here"
if ! ansible-lint --nocolor -c "$here/.ansible-lint" ansible/ >"$work/lint.log" 2>&1; then
  cp "$work/lint.log" "$logs/lint.log"; cat "$work/lint.log" >&2
  fail "ansible-lint reported errors"
fi
log "ansible-lint ok: $(grep -E 'Passed|failure' "$work/lint.log" | tail -1)"

# ---------------------------------------------------------------- 4. Vagrantfile
vagrant_candidate="$(apt-cache policy vagrant 2>/dev/null | awk '/Candidate:/ {print $2}')"
if [ -z "$vagrant_candidate" ] || [ "$vagrant_candidate" = "(none)" ]; then
  log "vagrant validate skipped: this machine's apt sources offer no 'vagrant' package (apt-cache policy vagrant: no candidate); checking the Vagrantfile's Ruby syntax with ruby -c instead"
  ruby -c "$here/Vagrantfile" >/dev/null || fail "Vagrantfile has a Ruby syntax error"
  log "ruby -c ok: Vagrantfile"
else
  command -v vagrant >/dev/null || apt_install vagrant
  ruby -c "$here/Vagrantfile" >/dev/null || fail "Vagrantfile has a Ruby syntax error"
  # validate evaluates the Vagrantfile and every machine's config; --ignore-provider skips
  # the provider blocks, since neither VirtualBox nor libvirt can run here.
  (cd "$here" && VAGRANT_HOME="$work/vagrant.d" vagrant validate --ignore-provider) >"$work/validate.log" 2>&1 \
    || { cat "$work/validate.log" >&2; fail "vagrant validate"; }
  log "vagrant validate ok (Debian vagrant $vagrant_candidate, providers not checked: no hypervisor here)"
fi

# ---------------------------------------------------------------- 5. roles twice in a container
if ! docker info >/dev/null 2>&1; then
  if [ -z "${DOCKER_HOST:-}" ] && [ "$(id -u)" = 0 ]; then
    command -v dockerd >/dev/null || apt_install docker.io
    flock /tmp/dockerd.lock bash -c 'pgrep -x dockerd >/dev/null || { nohup dockerd --storage-driver=vfs >/tmp/dockerd.log 2>&1 & }'
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  fi
  docker info >/dev/null 2>&1 || fail "no Docker engine reachable (DOCKER_HOST=${DOCKER_HOST:-unset}); start dockerd first"
fi

# The mirror this machine uses, from deb822 .sources files or one-line .list files.
mirror() {
  local uri
  uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
      /^URIs:/ {u=$2} /^Suites:/ {s=$0}
      /^$/ {if (s ~ /bookworm( |$)/ && u !~ /security/) {print u; exit} u=""; s=""}
      END {if (s ~ /bookworm( |$)/ && u !~ /security/) print u}' | head -1 || true)"
  [ -n "$uri" ] || uri="$(grep -hE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | grep -v security | awk '$3 == "bookworm" {print $2; exit}' || true)"
  echo "${uri:-http://deb.debian.org/debian}"
}
security_mirror() {
  local uri
  uri="$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
      | grep -v '^[[:space:]]*#' | grep -oE 'https?://[^ ]*security[^ ]*' | head -1 || true)"
  echo "${uri:-http://deb.debian.org/debian-security}"
}

if docker image inspect "$image" >/dev/null 2>&1; then
  log "container image $image is cached"
else
  main_uri="$(mirror)"; sec_uri="$(security_mirror)"
  log "building $image with debootstrap from $main_uri"
  rootfs="$work/rootfs"
  debootstrap --variant=minbase --include=python3,python3-apt,python3-yaml,ca-certificates \
    bookworm "$rootfs" "$main_uri" >"$work/debootstrap.log" 2>&1 \
    || { tail -30 "$work/debootstrap.log" >&2; fail "debootstrap bookworm"; }
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $main_uri
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $sec_uri
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # A throwaway container: dpkg need not fsync every file (as in Docker's own Debian images).
  echo force-unsafe-io >"$rootfs/etc/dpkg/dpkg.cfg.d/unsafe-io"
  # No init in the container: packages must not try to start their services.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 755 "$rootfs/usr/sbin/policy-rc.d"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import --change 'CMD ["sleep", "infinity"]' - "$image" >/dev/null
  rm -rf "$rootfs"
  log "image $image built"
fi

docker run -d --name "$container" --hostname node1 -v "$debs:/var/cache/apt/archives" "$image" sleep infinity >/dev/null
cat >"$work/inventory.yml" <<EOF
all:
  hosts:
    check-node:
      ansible_connection: $connection
      ansible_host: $container
      ansible_user: root
      ansible_python_interpreter: /usr/bin/python3
EOF

run_roles() {
  local n="$1"
  (cd "$ans" && ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks \
    ansible-playbook -i "$work/inventory.yml" container-check.yml --skip-tags upstream) \
    >"$logs/run$n.log" 2>&1 || { tail -60 "$logs/run$n.log" >&2; fail "container run $n failed (log: $logs/run$n.log)"; }
  grep -A1 'PLAY RECAP' "$logs/run$n.log" | sed -n 2p | sed 's/^/    /'
}

log "applying the roles to the container (run 1)"
run_roles 1
log "applying the roles again (run 2: must change nothing)"
run_roles 2
recap="$(grep -E '^check-node[[:space:]]+:' "$logs/run2.log" | tail -1)"
changed="$(sed -nE 's/.*changed=([0-9]+).*/\1/p' <<<"$recap")"
failed="$(sed -nE 's/.*failed=([0-9]+).*/\1/p' <<<"$recap")"
[ -n "$changed" ] || fail "no PLAY RECAP line for check-node in run 2"
if [ "$changed" != 0 ] || [ "$failed" != 0 ]; then
  grep -E '^(changed|TASK)' "$logs/run2.log" | grep -B1 '^changed' >&2 || true
  fail "second run was not idempotent: $recap"
fi
log "idempotent: second run reports changed=0"
log "all vagrant checks passed in $((SECONDS - started))s"
