# shellcheck shell=bash
# Installs and starts the real components opsbot's tests use: PostgreSQL, Docker Engine, a local
# base image, a Docker registry, a private sshd and a central rsyslog. Sourced by ./run-tests.
#
# Every start is idempotent: a component that already answers is reused; a pid file whose process
# is gone is removed; an earlier instance of ours that does not answer is stopped and started again.
# Services are left running on purpose so that a rerun reuses them. All bind to 127.0.0.1.
#
# Each ci_start_* function exports the OPSBOT_TEST_* variables of its component only once the
# component answers, and returns non-zero with a message naming it when it cannot be brought up.
#
# Overrides, rarely needed: OPSBOT_CI_STATE (state dir; default /var/lib/opsbot-ci as root, else
# .ci/work), OPSBOT_CI_DOCKER_SOCK, OPSBOT_CI_DOCKER_STORAGE (default auto: overlay2
# where an overlay mount works on the data root's file system, else vfs), OPSBOT_CI_DOCKER_DATA_ROOT,
# OPSBOT_CI_DOCKER_EXEC_ROOT, OPSBOT_CI_DOCKERD_FLAGS (extra dockerd flags). Never start a second
# dockerd with --bridge=none on a machine whose dockerd uses the bridge: it deletes docker0.

CI_STATE_DIR="${OPSBOT_CI_STATE:-}"
if [[ -z "$CI_STATE_DIR" ]]; then
  # Machine-wide when root, so a fresh clone in another folder reuses what an earlier run started.
  if [[ $EUID -eq 0 ]]; then CI_STATE_DIR=/var/lib/opsbot-ci; else CI_STATE_DIR="$PWD/.ci/work"; fi
fi
CI_DOCKER_SOCK="${OPSBOT_CI_DOCKER_SOCK:-/var/run/docker.sock}"
CI_DOCKER_STORAGE="${OPSBOT_CI_DOCKER_STORAGE:-auto}"
CI_DOCKER_DATA_ROOT="${OPSBOT_CI_DOCKER_DATA_ROOT:-/var/lib/docker}"
CI_DOCKER_EXEC_ROOT="${OPSBOT_CI_DOCKER_EXEC_ROOT:-/var/run/docker}"
CI_BASE_IMAGE=opsbot/busybox:latest
CI_REGISTRY_ADDR=127.0.0.1:5000
CI_SSH_PORT=2222
CI_SSH_USER=opsbot
CI_RSYSLOG_PORT=514
CI_RSYSLOG_DIR=/var/log/remote

# What the tests need, as Debian packages (the command that proves each is there).
CI_PACKAGES=(
  postgresql:pg_ctlcluster docker.io:/usr/sbin/dockerd docker-registry:docker-registry busybox-static:/bin/busybox
  openssh-server:/usr/sbin/sshd openssh-client:ssh-keygen rsyslog:/usr/sbin/rsyslogd curl:curl ansible:ansible-playbook
  ansible-lint:ansible-lint debootstrap:/usr/sbin/debootstrap netcat-openbsd:nc.openbsd procps:pgrep time:/usr/bin/time
)

ci_log() { printf '[ci %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
ci_error() { printf '[ci %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; return 1; }
ci_is_root() { [[ $EUID -eq 0 ]]; }

# ci_wait SECONDS WHAT COMMAND...: run COMMAND every half second until it succeeds or time runs out.
ci_wait() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then ci_log "gave up after ${seconds}s waiting for $what"; return 1; fi
    sleep 0.5
  done
}

# ci_pid_matches PID PATTERN: the process PID is alive and its command line contains PATTERN.
ci_pid_matches() {
  local pid=$1 pattern=$2
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pattern"
}

# ci_pidfile_alive FILE PATTERN: the pid file names a live process matching PATTERN; a stale one is removed.
ci_pidfile_alive() {
  local file=$1 pattern=$2 pid
  [[ -f "$file" ]] || return 1
  pid=$(head -n1 "$file" 2>/dev/null || true)
  if ci_pid_matches "$pid" "$pattern"; then return 0; fi
  ci_log "removing stale pid file $file (pid ${pid:-none} is not $pattern)"
  rm -f "$file"
  return 1
}

# ci_stop_matching WHAT PATTERN: stop our own earlier instances (found by their unique command line).
ci_stop_matching() {
  local what=$1 pattern=$2 pids
  pids=$(pgrep -f -- "$pattern" || true)
  [[ -n "$pids" ]] || return 0
  ci_log "stopping earlier $what: pid $(echo $pids)"
  # shellcheck disable=SC2086
  kill $pids 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while pgrep -f -- "$pattern" >/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
  pids=$(pgrep -f -- "$pattern" || true)
  # shellcheck disable=SC2086
  [[ -z "$pids" ]] || kill -9 $pids 2>/dev/null || true
}

# ci_adopt PIDFILE PATTERN: an earlier instance of ours (one process matching PATTERN) whose pid
# file is gone or stale gets its pid file back, so it is reused or restarted like any other.
ci_adopt() {
  local pidfile=$1 pattern=$2 pids
  ci_pidfile_alive "$pidfile" "$pattern" && return 0
  pids=$(pgrep -o -f -- "$pattern" || true)
  [[ $pids =~ ^[0-9]+$ ]] || return 0
  ci_log "adopting earlier instance pid $pids ($pattern)"
  mkdir -p "$(dirname "$pidfile")"
  echo "$pids" >"$pidfile"
}

# ci_write_if_changed FILE: write stdin to FILE; succeed only when the content changed.
ci_write_if_changed() {
  local file=$1 tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [[ -f "$file" ]] && cmp -s "$tmp" "$file"; then rm -f "$tmp"; return 1; fi
  mkdir -p "$(dirname "$file")"
  mv "$tmp" "$file"
  chmod 0644 "$file"
}

# ci_daemon PIDFILE LOG COMMAND...: start COMMAND detached, its pid in PIDFILE, output in LOG.
# The services lock (fd 9) is closed in the child so a daemon never holds it.
ci_daemon() {
  local pidfile=$1 log=$2; shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$log")"
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$log" 2>&1 9>&- &
  disown $! 2>/dev/null || true
}

ci_port_owner() { # ci_port_owner tcp|udp PORT: who listens there (for messages)
  local flag=-ltnp; [[ $1 == udp ]] && flag=-lunp
  ss -H $flag "sport = :$2" 2>/dev/null | head -n1 || true
}

# ---------------------------------------------------------------------------------------------
# Packages

# ci_install_packages: apt-get install what is missing (root with apt only). Under flock because
# other processes on this machine may use apt at the same time.
ci_install_packages() {
  local missing=() entry pkg probe
  for entry in "${CI_PACKAGES[@]}"; do
    pkg=${entry%%:*}; probe=${entry#*:}
    if [[ $probe == /* ]]; then [[ -x $probe ]] && continue; else command -v "$probe" >/dev/null 2>&1 && continue; fi
    missing+=("$pkg")
  done
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  if ((${#missing[@]} == 0)); then ci_log "packages: all present"; return 0; fi
  if ! ci_is_root || ! command -v apt-get >/dev/null 2>&1; then
    ci_log "packages missing and cannot be installed here (needs root and apt-get): ${missing[*]}"
    return 0
  fi
  ci_log "installing: ${missing[*]}"
  # policy-rc.d keeps the packages' own services (system sshd, rsyslog, dockerd, registry) from
  # starting: we run our own instances with our own configs.
  local policy=/usr/sbin/policy-rc.d created_policy=false
  if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >$policy; chmod 755 $policy; created_policy=true; fi
  local rc=0
  (
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=l NEEDRESTART_SUSPEND=1
    flock -w 900 9 || { echo "apt lock /tmp/apt.lock busy for 15 min" >&2; exit 1; }
    # A failing third-party source must not stop us when Debian's own lists are fine.
    apt-get update -qq </dev/null >/dev/null 2>&1 || echo "[ci] apt-get update reported errors; trying the install anyway" >&2
    apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null
  ) 9>/tmp/apt.lock >"$CI_STATE_DIR/apt.log" 2>&1 || rc=$?
  $created_policy && rm -f $policy
  if ((rc != 0)); then tail -n 20 "$CI_STATE_DIR/apt.log" >&2; ci_error "apt-get install failed (rc=$rc), see $CI_STATE_DIR/apt.log"; return 1; fi
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL: the Debian cluster on 127.0.0.1:5432, role and database opsbot_test.

ci_pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 -t 2; }
ci_pg_psql() { (cd / && runuser -u postgres -- psql -X -q -h /var/run/postgresql -p 5432 -v ON_ERROR_STOP=1 "$@"); }

ci_start_postgres() {
  if ! ci_is_root || ! command -v pg_ctlcluster >/dev/null 2>&1; then
    ci_pg_ready || { ci_error "PostgreSQL is not answering on 127.0.0.1:5432 and cannot be started here (needs root and package postgresql)"; return 1; }
  else
    local ver
    ver=$(ls /usr/lib/postgresql | sort -V | tail -n1)
    [[ -n "$ver" ]] || { ci_error "PostgreSQL server binaries missing under /usr/lib/postgresql"; return 1; }
    if [[ ! -f /etc/postgresql/$ver/main/postgresql.conf ]]; then
      ci_log "creating PostgreSQL cluster $ver/main"
      pg_createcluster "$ver" main -p 5432 >/dev/null 9>&-
    fi
    local confchanged=false
    ci_write_if_changed "/etc/postgresql/$ver/main/conf.d/opsbot-ci.conf" <<EOF && confchanged=true
# Written by opsbot's .ci/services.sh: loopback only, on the standard port.
listen_addresses = '127.0.0.1'
port = 5432
EOF
    mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql
    # Running means: postmaster.pid names a live postgres. pg_ctlcluster's own status is fooled by a
    # killed server's pid that is still a zombie or now belongs to another process, and so would be
    # the server's start; such a postmaster.pid is removed.
    local datadir pmpid
    datadir=$(pg_conftool -s "$ver" main show data_directory 2>/dev/null || echo "/var/lib/postgresql/$ver/main")
    pmpid=$datadir/postmaster.pid
    if [[ -f $pmpid ]] && ci_pid_matches "$(head -n1 "$pmpid")" postgres; then
      if $confchanged; then
        ci_log "restarting PostgreSQL $ver/main for the loopback settings"
        pg_ctlcluster "$ver" main restart 9>&-
      fi
    else
      if [[ -f $pmpid ]]; then ci_log "removing stale $pmpid"; rm -f "$pmpid"; fi
      ci_log "starting PostgreSQL $ver/main"
      pg_ctlcluster "$ver" main start 9>&- || { ci_error "PostgreSQL $ver/main failed to start; see /var/log/postgresql/postgresql-$ver-main.log"; return 1; }
    fi
    ci_wait 60 "PostgreSQL on 127.0.0.1:5432" ci_pg_ready || { ci_error "PostgreSQL does not answer on 127.0.0.1:5432"; return 1; }
    if [[ -z $(ci_pg_psql -tAc "select 1 from pg_roles where rolname = 'opsbot_test'") ]]; then
      ci_pg_psql -c "create role opsbot_test login password 'opsbot_test'"
    fi
    # CREATEROLE: the secrets test makes a throw-away role with a random password (and drops it).
    if [[ $(ci_pg_psql -tAc "select rolcreaterole from pg_roles where rolname = 'opsbot_test'") != t ]]; then
      ci_pg_psql -c "alter role opsbot_test createrole"
    fi
    if [[ -z $(ci_pg_psql -tAc "select 1 from pg_database where datname = 'opsbot_test'") ]]; then
      ci_pg_psql -c "create database opsbot_test owner opsbot_test"
    fi
  fi
  PGPASSWORD=opsbot_test psql -X -q -h 127.0.0.1 -p 5432 -U opsbot_test -d opsbot_test -tAc 'select 1' >/dev/null 2>&1 \
    || { ci_error "PostgreSQL: cannot log in as opsbot_test to database opsbot_test on 127.0.0.1:5432"; return 1; }
  export OPSBOT_TEST_PG_URL=jdbc:postgresql://127.0.0.1:5432/opsbot_test
  export OPSBOT_TEST_PG_USER=opsbot_test OPSBOT_TEST_PG_PASSWORD=opsbot_test
  ci_log "PostgreSQL ready on 127.0.0.1:5432 (database opsbot_test)"
}

# ---------------------------------------------------------------------------------------------
# Docker Engine

ci_docker() { docker -H "unix://$CI_DOCKER_SOCK" "$@"; }
ci_docker_ready() { ci_docker info >/dev/null 2>&1; }

# overlay2 when the kernel mounts an overlay on the data root's file system (much faster image
# builds), else vfs, which works everywhere.
ci_docker_storage_driver() {
  if [[ $CI_DOCKER_STORAGE != auto ]]; then echo "$CI_DOCKER_STORAGE"; return; fi
  local probe driver=vfs
  mkdir -p "$(dirname "$CI_DOCKER_DATA_ROOT")"
  probe=$(mktemp -d "$CI_DOCKER_DATA_ROOT.overlay-probe.XXXXXX")
  mkdir -p "$probe"/{lower,upper,work,merged}
  if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" 2>/dev/null; then
    umount "$probe/merged" && driver=overlay2
  fi
  rm -rf "$probe"
  echo "$driver"
}

ci_start_docker() {
  command -v docker >/dev/null 2>&1 || { ci_error "Docker: no docker client (package docker.io)"; return 1; }
  local dir=$CI_STATE_DIR/docker
  local pidfile=$dir/dockerd.pid
  if ci_docker_ready; then
    ci_log "Docker Engine already answers on $CI_DOCKER_SOCK (reused)"
  else
    if ! ci_is_root || ! command -v dockerd >/dev/null 2>&1; then
      ci_error "Docker Engine is not answering on $CI_DOCKER_SOCK and cannot be started here (needs root and package docker.io)"; return 1
    fi
    mkdir -p "$dir"
    if ci_pidfile_alive "$pidfile" dockerd; then
      ci_log "our dockerd (pid $(cat "$pidfile")) is up but not answering yet; waiting"
      ci_wait 30 "dockerd" ci_docker_ready || ci_stop_matching "dockerd (not answering)" "dockerd --pidfile $pidfile"
    fi
    # A dockerd killed with its containerd leaves containerd's pid file; a reused pid would fool it.
    local cpid=$CI_DOCKER_EXEC_ROOT/containerd/containerd.pid
    if [[ -f $cpid ]] && ! ci_pid_matches "$(head -n1 "$cpid")" containerd; then rm -f "$cpid"; fi
    if ! ci_docker_ready; then
      rm -f "$pidfile"
      local driver; driver=$(ci_docker_storage_driver)
      ci_log "starting dockerd (storage driver $driver), log $dir/dockerd.log"
      # dockerd writes its own pid file; ci_daemon's is a scratch copy.
      # shellcheck disable=SC2086
      ci_daemon "$dir/launch.pid" "$dir/dockerd.log" dockerd --pidfile "$pidfile" --host "unix://$CI_DOCKER_SOCK" \
        --data-root "$CI_DOCKER_DATA_ROOT" --exec-root "$CI_DOCKER_EXEC_ROOT" \
        --storage-driver="$driver" ${OPSBOT_CI_DOCKERD_FLAGS:-}
      if ! ci_wait 60 "docker info" ci_docker_ready; then
        tail -n 20 "$dir/dockerd.log" >&2
        ci_error "Docker Engine did not come up within 60 s; see $dir/dockerd.log"; return 1
      fi
    fi
  fi
  export DOCKER_HOST=unix://$CI_DOCKER_SOCK
  ci_log "Docker Engine ready: $(ci_docker info -f 'server {{.ServerVersion}}, storage driver {{.Driver}}' 2>/dev/null || echo '?')"
}

# A base image built locally from busybox-static, since no image can be pulled here.
ci_build_base_image() {
  if ! ci_docker image inspect "$CI_BASE_IMAGE" >/dev/null 2>&1; then
    [[ -x /bin/busybox ]] || { ci_error "base image: /bin/busybox missing (package busybox-static)"; return 1; }
    local rootfs
    rootfs=$(mktemp -d)
    mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,proc,sys,dev,var/tmp,home}
    chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
    cp /bin/busybox "$rootfs/bin/busybox"
    local applet
    while read -r applet; do
      [[ $applet == bin/busybox || -e $rootfs/$applet ]] && continue
      ln -s /bin/busybox "$rootfs/$applet"
    done < <(/bin/busybox --list-full)
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
    ci_log "building $CI_BASE_IMAGE from busybox-static"
    tar -C "$rootfs" -c . | ci_docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["sh"]' - "$CI_BASE_IMAGE" >/dev/null
    rm -rf "$rootfs"
  fi
  local out
  out=$(ci_docker run --rm "$CI_BASE_IMAGE" sh -c 'echo base-image-ok' 2>&1) \
    && [[ $out == base-image-ok ]] || { ci_error "base image: 'docker run $CI_BASE_IMAGE' failed: $out"; return 1; }
  export OPSBOT_TEST_BASE_IMAGE=$CI_BASE_IMAGE
  ci_log "base image $CI_BASE_IMAGE runs"
}

# ---------------------------------------------------------------------------------------------
# Docker registry (Debian's docker-registry, distribution 2.x) on 127.0.0.1:5000

ci_registry_ready() { [[ $(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://$CI_REGISTRY_ADDR/v2/") == 200 ]]; }

ci_start_registry() {
  local dir=$CI_STATE_DIR/registry
  local config=$dir/config.yml pidfile=$dir/registry.pid
  local pattern="docker-registry serve $config"
  local changed=false
  if ci_is_root || [[ -w $CI_STATE_DIR ]]; then
    mkdir -p "$dir/data"
    ci_write_if_changed "$config" <<EOF && changed=true
# Written by opsbot's .ci/services.sh
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $CI_REGISTRY_ADDR
EOF
  fi
  ci_adopt "$pidfile" "$pattern"
  if ci_pidfile_alive "$pidfile" "$pattern" && $changed; then ci_stop_matching "registry (config changed)" "$pattern"; fi
  if ! ci_registry_ready; then
    command -v docker-registry >/dev/null 2>&1 || { ci_error "Docker registry not answering on $CI_REGISTRY_ADDR and docker-registry is not installed (package docker-registry)"; return 1; }
    ci_pidfile_alive "$pidfile" "$pattern" && ci_wait 10 "registry" ci_registry_ready
    if ! ci_registry_ready; then
      ci_stop_matching "docker-registry (not answering)" "$pattern"
      local owner; owner=$(ci_port_owner tcp 5000)
      [[ -z $owner ]] || { ci_error "Docker registry: port 5000 is held by something else: $owner"; return 1; }
      ci_log "starting docker-registry on $CI_REGISTRY_ADDR, log $dir/registry.log"
      ci_daemon "$pidfile" "$dir/registry.log" docker-registry serve "$config"
      ci_wait 30 "registry /v2/" ci_registry_ready || { tail -n 20 "$dir/registry.log" >&2; ci_error "Docker registry did not answer 200 on http://$CI_REGISTRY_ADDR/v2/ within 30 s"; return 1; }
    fi
  else
    ci_log "Docker registry already answers on $CI_REGISTRY_ADDR (reused)"
  fi
  export OPSBOT_TEST_REGISTRY=$CI_REGISTRY_ADDR
}

# docker push to the local registry works (127.0.0.0/8 is an insecure registry by default in dockerd).
ci_check_registry_push() {
  local ref=$CI_REGISTRY_ADDR/opsbot/ci-check:latest out
  ci_docker tag "$CI_BASE_IMAGE" "$ref"
  out=$(ci_docker push "$ref" 2>&1) || { ci_error "Docker registry: 'docker push $ref' failed: $out"; return 1; }
  ci_docker rmi "$ref" >/dev/null 2>&1 || true
  ci_log "Docker registry ready on $CI_REGISTRY_ADDR (push works)"
}

# ---------------------------------------------------------------------------------------------
# OpenSSH: a private sshd on 127.0.0.1:2222 for the test user opsbot

ci_ssh_banner() {
  ( exec 8<>"/dev/tcp/127.0.0.1/$CI_SSH_PORT" && IFS= read -r -t 3 line <&8 && [[ $line == SSH-2.0-* ]] ) 2>/dev/null
}

ci_ssh_login() {
  ssh -n -i "$CI_STATE_DIR/ssh/id_ed25519" -p "$CI_SSH_PORT" -o BatchMode=yes -o ConnectTimeout=5 \
    -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$CI_STATE_DIR/ssh/known_hosts" -o LogLevel=ERROR \
    "$CI_SSH_USER@127.0.0.1" "$@"
}

# ci_ssh_recorder DIR HOME: a second client key whose logins record the command the client asked for before
# running it as sshd would (the user's shell -c COMMAND): its authorized_keys entry has command=DIR/record-command,
# which appends "EPOCH BASE64(SSH_ORIGINAL_COMMAND)" to HOME/ssh-commands.log (one line per command, line breaks
# and all). Tests that must prove what reached the shell log in with this key (HostileArgumentsTest).
ci_ssh_recorder() {
  local dir=$1 home=$2
  local recorded=$dir/id_ed25519_recorded log=$home/ssh-commands.log
  [[ -f $recorded ]] || ssh-keygen -q -t ed25519 -N '' -C opsbot-ci-recorded -f "$recorded"
  chmod 0600 "$recorded"
  ci_write_if_changed "$dir/record-command" <<EOF || true
#!/bin/sh
# Written by opsbot's .ci/services.sh: records the command an SSH client asked for, then runs it.
printf '%s %s\n' "\$(date +%s)" "\$(printf '%s' "\$SSH_ORIGINAL_COMMAND" | base64 -w0)" >>'$log'
exec "\$SHELL" -c "\$SSH_ORIGINAL_COMMAND"
EOF
  chmod 0755 "$dir/record-command"
  touch "$log"
  chown "$CI_SSH_USER:$CI_SSH_USER" "$log"
  chmod 0644 "$log"
  local line
  line="command=\"$dir/record-command\",no-port-forwarding,no-agent-forwarding,no-X11-forwarding $(cat "$recorded.pub")"
  grep -qxF "$line" "$home/.ssh/authorized_keys" || echo "$line" >>"$home/.ssh/authorized_keys"
}

ci_start_sshd() {
  local dir=$CI_STATE_DIR/ssh key=$CI_STATE_DIR/ssh/id_ed25519
  if ! ci_is_root; then
    ci_ssh_banner && [[ -r $key && -r $dir/known_hosts ]] || { ci_error "OpenSSH test server not answering on 127.0.0.1:$CI_SSH_PORT (or no key $key, or no $dir/known_hosts) and cannot be started without root"; return 1; }
  else
    [[ -x /usr/sbin/sshd ]] || { ci_error "OpenSSH: /usr/sbin/sshd missing (package openssh-server)"; return 1; }
    mkdir -p "$dir"
    chmod 0755 "$CI_STATE_DIR" "$dir"
    # The test user: a real shell, not locked (sshd refuses pubkey logins to locked accounts
    # when PAM is off), allowed to read the central logs and the journal.
    if ! id "$CI_SSH_USER" >/dev/null 2>&1; then
      useradd --create-home --shell /bin/bash "$CI_SSH_USER"
    fi
    [[ $(getent shadow "$CI_SSH_USER" | cut -d: -f2) == '*' ]] || usermod -p '*' "$CI_SSH_USER"
    local group
    for group in adm systemd-journal; do
      getent group "$group" >/dev/null && ! id -nG "$CI_SSH_USER" | tr ' ' '\n' | grep -qx "$group" \
        && usermod -aG "$group" "$CI_SSH_USER"
    done
    [[ -f $dir/ssh_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C opsbot-ci-host -f "$dir/ssh_host_ed25519_key"
    [[ -f $key ]] || ssh-keygen -q -t ed25519 -N '' -C opsbot-ci-client -f "$key"
    chmod 0600 "$key"   # ssh refuses a private key others can read
    # The server's host key as clients must know it: opsbot (and ssh here) verify it, never accept it blindly.
    printf '[127.0.0.1]:%s %s\n' "$CI_SSH_PORT" "$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" \
      | ci_write_if_changed "$dir/known_hosts" || true
    local home; home=$(getent passwd "$CI_SSH_USER" | cut -d: -f6)
    install -d -m 0700 -o "$CI_SSH_USER" -g "$CI_SSH_USER" "$home/.ssh"
    touch "$home/.ssh/authorized_keys"
    grep -qxF "$(cat "$key.pub")" "$home/.ssh/authorized_keys" || cat "$key.pub" >>"$home/.ssh/authorized_keys"
    chown "$CI_SSH_USER:$CI_SSH_USER" "$home/.ssh/authorized_keys"; chmod 0600 "$home/.ssh/authorized_keys"
    ci_ssh_recorder "$dir" "$home" || return 1
    local config=$dir/sshd_config pidfile=$dir/sshd.pid changed=false
    ci_write_if_changed "$config" <<EOF && changed=true
# Written by opsbot's .ci/services.sh: a private sshd for the tests, not the system one.
Port $CI_SSH_PORT
ListenAddress 127.0.0.1
HostKey $dir/ssh_host_ed25519_key
PidFile $pidfile
AllowUsers $CI_SSH_USER
PermitRootLogin no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
EOF
    local pattern="sshd -f $config"
    ci_adopt "$pidfile" "$pattern"
    if ci_pidfile_alive "$pidfile" "$pattern" && $changed; then ci_stop_matching "sshd (config changed)" "$pattern"; fi
    if ! ci_ssh_banner; then
      ci_pidfile_alive "$pidfile" "$pattern" && ci_wait 10 "sshd" ci_ssh_banner
      if ! ci_ssh_banner; then
        ci_stop_matching "sshd (not answering)" "$pattern"
        rm -f "$pidfile"
        local owner; owner=$(ci_port_owner tcp "$CI_SSH_PORT")
        [[ -z $owner ]] || { ci_error "OpenSSH: port $CI_SSH_PORT is held by something else: $owner"; return 1; }
        mkdir -p /run/sshd && chmod 0755 /run/sshd   # privilege separation dir, normally made by systemd
        /usr/sbin/sshd -t -f "$config" || { ci_error "OpenSSH: sshd -t rejects $config"; return 1; }
        ci_log "starting sshd on 127.0.0.1:$CI_SSH_PORT, log $dir/sshd.log"
        /usr/sbin/sshd -f "$config" -E "$dir/sshd.log" 9>&-
        ci_wait 15 "sshd banner" ci_ssh_banner || { tail -n 20 "$dir/sshd.log" >&2; ci_error "OpenSSH test server did not answer on 127.0.0.1:$CI_SSH_PORT"; return 1; }
      fi
    else
      ci_log "sshd already answers on 127.0.0.1:$CI_SSH_PORT (reused)"
    fi
    local out
    out=$(ci_ssh_login id -un 2>&1) && [[ $out == "$CI_SSH_USER" ]] \
      || { ci_error "OpenSSH: key login as $CI_SSH_USER@127.0.0.1:$CI_SSH_PORT failed: $out"; return 1; }
  fi
  export OPSBOT_TEST_SSH_HOST=127.0.0.1 OPSBOT_TEST_SSH_PORT=$CI_SSH_PORT
  export OPSBOT_TEST_SSH_USER=$CI_SSH_USER OPSBOT_TEST_SSH_KEY=$key OPSBOT_TEST_SSH_KNOWN_HOSTS=$dir/known_hosts
  if [[ -r $dir/id_ed25519_recorded ]]; then
    local recorded_home; recorded_home=$(getent passwd "$CI_SSH_USER" | cut -d: -f6)
    export OPSBOT_TEST_SSH_RECORDED_KEY=$dir/id_ed25519_recorded OPSBOT_TEST_SSH_COMMAND_LOG=$recorded_home/ssh-commands.log
  fi
  ci_log "OpenSSH ready on 127.0.0.1:$CI_SSH_PORT (user $CI_SSH_USER, key $key, host key in $dir/known_hosts)"
}

# ---------------------------------------------------------------------------------------------
# rsyslog as the central log host: 127.0.0.1:514 UDP+TCP, one file per program under /var/log/remote

ci_rsyslog_tcp_open() { (exec 7<>"/dev/tcp/127.0.0.1/$CI_RSYSLOG_PORT") 2>/dev/null; }

# ci_rsyslog_roundtrip TAG: a UDP message tagged TAG lands in /var/log/remote/TAG.log.
ci_rsyslog_roundtrip() {
  local tag=$1 marker="ci-check-$RANDOM$RANDOM"
  logger -d -n 127.0.0.1 -P "$CI_RSYSLOG_PORT" -t "$tag" "$marker" 2>/dev/null || return 1
  ci_wait 10 "$CI_RSYSLOG_DIR/$tag.log" grep -qF "$marker" "$CI_RSYSLOG_DIR/$tag.log"
}

ci_start_rsyslog() {
  local dir=$CI_STATE_DIR/rsyslog
  local config=$dir/rsyslog.conf pidfile=$dir/rsyslogd.pid
  local pattern="rsyslogd -f $config"
  if ! ci_is_root; then
    ci_rsyslog_tcp_open && [[ -d $CI_RSYSLOG_DIR ]] || { ci_error "rsyslog not answering on 127.0.0.1:$CI_RSYSLOG_PORT and cannot be started without root"; return 1; }
  else
    command -v rsyslogd >/dev/null 2>&1 || { ci_error "rsyslog: rsyslogd missing (package rsyslog)"; return 1; }
    mkdir -p "$dir/work" "$CI_RSYSLOG_DIR"
    chgrp adm "$CI_RSYSLOG_DIR" 2>/dev/null || true
    chmod 0755 "$CI_RSYSLOG_DIR"
    local changed=false
    ci_write_if_changed "$config" <<EOF && changed=true
# Written by opsbot's .ci/services.sh: the central log host for the tests (not /etc/rsyslog.conf).
global(workDirectory="$dir/work")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="$CI_RSYSLOG_PORT")
input(type="imtcp" address="127.0.0.1" port="$CI_RSYSLOG_PORT")
template(name="OpsbotRemoteFile" type="string" string="$CI_RSYSLOG_DIR/%programname%.log")
# RSYSLOG_FileFormat: RFC 3339 timestamps.
action(type="omfile" dynaFile="OpsbotRemoteFile" template="RSYSLOG_FileFormat"
       fileOwner="root" fileGroup="adm" fileCreateMode="0640" dirCreateMode="0755")
EOF
    if ci_pidfile_alive "$pidfile" "$pattern" && $changed; then ci_stop_matching "rsyslogd (config changed)" "$pattern"; fi
    ci_adopt "$pidfile" "$pattern"
    if ci_pidfile_alive "$pidfile" "$pattern" && ci_rsyslog_tcp_open; then
      ci_log "rsyslogd already runs (pid $(cat "$pidfile"), reused)"
    else
      ci_stop_matching "rsyslogd (not answering)" "$pattern"
      rm -f "$pidfile"
      local owner; owner=$(ci_port_owner udp "$CI_RSYSLOG_PORT")$(ci_port_owner tcp "$CI_RSYSLOG_PORT")
      [[ -z $owner ]] || { ci_error "rsyslog: port $CI_RSYSLOG_PORT is held by something else: $owner"; return 1; }
      rsyslogd -N1 -f "$config" >"$dir/check.log" 2>&1 || { cat "$dir/check.log" >&2; ci_error "rsyslog: rsyslogd -N1 rejects $config"; return 1; }
      ci_log "starting rsyslogd on 127.0.0.1:$CI_RSYSLOG_PORT (udp+tcp) writing $CI_RSYSLOG_DIR/<program>.log"
      rsyslogd -f "$config" -i "$pidfile" 9>&- >"$dir/rsyslogd.log" 2>&1
      ci_wait 15 "rsyslog tcp port" ci_rsyslog_tcp_open || { ci_error "rsyslog did not open 127.0.0.1:$CI_RSYSLOG_PORT"; return 1; }
    fi
  fi
  ci_rsyslog_roundtrip opsbot-ci-check || { ci_error "rsyslog: a UDP message to 127.0.0.1:$CI_RSYSLOG_PORT did not reach $CI_RSYSLOG_DIR/opsbot-ci-check.log"; return 1; }
  export OPSBOT_TEST_RSYSLOG=127.0.0.1:$CI_RSYSLOG_PORT OPSBOT_TEST_RSYSLOG_DIR=$CI_RSYSLOG_DIR
  ci_log "rsyslog ready on 127.0.0.1:$CI_RSYSLOG_PORT"
}

# Docker's syslog log driver (it runs in dockerd, on the host) reaches the central rsyslog.
ci_check_docker_syslog() {
  local marker="hello-$RANDOM$RANDOM" out
  out=$(ci_docker run --rm --log-driver=syslog --log-opt "syslog-address=udp://127.0.0.1:$CI_RSYSLOG_PORT" \
    --log-opt tag=cicheck "$CI_BASE_IMAGE" echo "$marker" 2>&1) || { ci_error "Docker syslog driver: docker run failed: $out"; return 1; }
  ci_wait 10 "$CI_RSYSLOG_DIR/cicheck.log" grep -qF "$marker" "$CI_RSYSLOG_DIR/cicheck.log" \
    || { ci_error "Docker syslog driver: container output did not reach $CI_RSYSLOG_DIR/cicheck.log"; return 1; }
  ci_log "Docker's syslog driver reaches rsyslog"
}

# ---------------------------------------------------------------------------------------------

# ci_start_services: start everything, in order, under one lock (concurrent runs on one machine).
# Sets CI_FAILED to the list of components that could not be brought up; CI_TIMINGS gets one
# "name seconds" line per component.
ci_start_services() {
  CI_FAILED=() CI_TIMINGS=()
  mkdir -p "$CI_STATE_DIR"
  exec 9>"$CI_STATE_DIR/services.lock"
  flock -w 600 9 || { ci_error "another run holds $CI_STATE_DIR/services.lock for 10 min"; exec 9>&-; CI_FAILED=(lock); return 1; }
  local docker_ok=false rsyslog_ok=false image_ok=false t
  _ci_step() { # _ci_step NAME FUNCTION
    t=$SECONDS
    if "$2"; then CI_TIMINGS+=("$1 $((SECONDS - t))"); return 0; fi
    CI_TIMINGS+=("$1 $((SECONDS - t)) FAILED"); CI_FAILED+=("$1"); return 1
  }
  _ci_step postgresql ci_start_postgres || true
  _ci_step docker ci_start_docker && docker_ok=true
  if $docker_ok; then _ci_step base-image ci_build_base_image && image_ok=true; else CI_FAILED+=(base-image); fi
  _ci_step registry ci_start_registry || true
  if $image_ok && [[ -n ${OPSBOT_TEST_REGISTRY:-} ]]; then _ci_step registry-push ci_check_registry_push || true; fi
  _ci_step sshd ci_start_sshd || true
  _ci_step rsyslog ci_start_rsyslog && rsyslog_ok=true
  if $image_ok && $rsyslog_ok; then _ci_step docker-syslog ci_check_docker_syslog || true; fi
  exec 9>&-
  ((${#CI_FAILED[@]} == 0))
}
