# Shared steps of install-agent.sh and install-collector.sh; sourced by them, not run on its own.
# Every step checks what is already there first, so running an installer again changes only what differs.
# Every change goes through `run` (or says what it would write), so --dry-run shows the whole plan.
# shellcheck shell=bash disable=SC2034  # some settings here are only read by the installers

# Settings the installers parse from their command line (see their --help).
DRY_RUN=0
ROOT=""                       # --root: install under this directory as if it were / (staging an image)
PREFIX=/opt/hallmonitor       # where the package goes, as seen on the target system
SOURCE=""                     # a directory or a git URL; default: the checkout holding the installer
NO_NPM=0
NO_START=0
CONFIG_ARG=""                 # --config: a file, or "-" for stdin
PACKAGE_BUILD=0               # set by an installer whose program has a production build (bin/build.js)

SERVICE_USER=hallmonitor
ETC_DIR=/etc/hallmonitor
UNIT_DIR=/etc/systemd/system  # the admin's units; /lib/systemd/system belongs to Debian packages
MIN_NODE=20.19.0              # package.json "engines"
# systemd starts services with this PATH, so the node found here is the node the service will run.
SYSTEMD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# The checkout this script belongs to: deploy/install/ is two levels below the package root.
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

TMP_FILES=()
cleanup_tmp() { if [ "${#TMP_FILES[@]}" -gt 0 ]; then rm -rf -- "${TMP_FILES[@]}"; fi; }
trap cleanup_tmp EXIT

say() { printf '%s\n' "$*"; }
step() { printf '\n==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# Runs a command that changes the system, or only prints it under --dry-run.
run() {
  # %q quotes arguments, so a printed command can be pasted into a shell as it is.
  if [ "$DRY_RUN" -eq 1 ]; then
    printf '  would run:'; printf ' %q' "$@"; printf '\n'
  else
    printf '  +'; printf ' %q' "$@"; printf '\n'
    "$@"
  fi
}

# True when ownership and system-wide changes apply: not when staging under --root, where the target's
# users, packages and running systemd are not this machine's.
on_target() { [ -z "$ROOT" ]; }

# Options both installers accept. Returns 1 for an option it does not know, so the caller can handle it.
# Sets SHIFT_BY to how many arguments it used.
SHIFT_BY=1
parse_common_option() {
  SHIFT_BY=1
  case $1 in
    --dry-run) DRY_RUN=1 ;;
    --no-npm) NO_NPM=1 ;;
    --no-start) NO_START=1 ;;
    --config|--source|--prefix|--root)
      [ $# -ge 2 ] || die "$1 needs a value"
      case $1 in
        --config) CONFIG_ARG=$2 ;;
        --source) SOURCE=$2 ;;
        --prefix) PREFIX=$2 ;;
        --root) ROOT=$2 ;;
      esac
      SHIFT_BY=2 ;;
    --config=*) CONFIG_ARG=${1#*=} ;;
    --source=*) SOURCE=${1#*=} ;;
    --prefix=*) PREFIX=${1#*=} ;;
    --root=*) ROOT=${1#*=} ;;
    *) return 1 ;;
  esac
}

check_common_options() {
  case $PREFIX in
    /?*) ;;
    *) die "--prefix must be an absolute path other than /, got '$PREFIX'" ;;
  esac
  PREFIX=${PREFIX%/}
  if [ -n "$ROOT" ]; then
    [ -d "$ROOT" ] || die "--root $ROOT: no such directory"
    ROOT=$(cd "$ROOT" && pwd)
    [ "$ROOT" != / ] || ROOT=""
  fi
  [ -n "$SOURCE" ] || SOURCE=$REPO_DIR
  # Files we create must be readable by the service user whatever the admin's umask (some set 077).
  umask 022
  if [ "$DRY_RUN" -eq 0 ] && on_target && [ "$(id -u)" -ne 0 ]; then
    die "run as root (sudo bash $0 ...), or try --dry-run first"
  fi
}

# A version as one comparable number: 20.19.0 -> 20019000.
version_number() {
  local major minor patch
  IFS=. read -r major minor patch <<<"${1#v}"
  printf '%d\n' "$(( ${major:-0} * 1000000 + ${minor:-0} * 1000 + ${patch:-0} ))"
}

# The service runs `/usr/bin/env node` with systemd's PATH, so check that node, not the one in a login
# shell's PATH (nvm, or a node under /home, would not be found by the service, and ProtectHome hides /home).
NODE_BIN=""
check_node() {
  step "Node.js $MIN_NODE or later on systemd's PATH"
  local node version
  node=$(PATH=$SYSTEMD_PATH command -v node || true)
  if [ -z "$node" ]; then
    cat >&2 <<EOF
Node.js is not installed where systemd looks ($SYSTEMD_PATH).
Debian 12's own nodejs package is version 18, too old. Install Node.js 20 from NodeSource, which has
packages for Debian and Raspberry Pi OS (arm64 and armhf):
  apt-get install -y ca-certificates curl gnupg
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  apt-get install -y nodejs
then run this installer again. (nvm installs into a home directory: fine for development, not for a service.)
EOF
    exit 1
  fi
  version=$("$node" --version)
  if [ "$(version_number "$version")" -lt "$(version_number "$MIN_NODE")" ]; then
    die "$node is $version; hallmonitor needs $MIN_NODE or later (NodeSource: https://deb.nodesource.com/setup_20.x)"
  fi
  if [ "$NO_NPM" -eq 0 ] && ! PATH=$SYSTEMD_PATH command -v npm >/dev/null; then
    die "npm is missing (NodeSource's nodejs package includes it; Debian's is the separate package npm)"
  fi
  NODE_BIN=$node
  say "  $node $version"
}

# Installs the Debian packages that are not installed yet (none are removed or upgraded).
apt_install_missing() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "  already installed: $*"
    return
  fi
  run apt-get update -q
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# npm ci builds better-sqlite3 (the agent's disk spool) from source when no prebuilt binary can be fetched
# for this Node version and CPU (it compiled here on x86-64 Debian 12; a Pi may do the same): it needs these.
BUILD_PACKAGES=(python3 make g++)

# The system user both services run as; it owns only the services' state directories.
ensure_user() {
  step "system user $SERVICE_USER"
  if ! on_target; then say "  skipped under --root (create it on the target system)"; return; fi
  if getent passwd "$SERVICE_USER" >/dev/null; then
    say "  exists"
  else
    run useradd --system --user-group --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin --comment "hallmonitor services" "$SERVICE_USER"
  fi
}

# install(1) with root:hallmonitor ownership on the target; under --root the owner is whoever runs this.
install_owned() {
  if on_target; then run install -o root -g "$SERVICE_USER" "$@"; else run install "$@"; fi
}

# Copies the package to $ROOT$PREFIX and installs its run-time dependencies there. The new tree is built
# beside the old one and swapped in at the end, so a failed npm ci leaves the running install untouched.
install_package() {
  local dest=$ROOT$PREFIX stage=$ROOT$PREFIX.new from
  step "package to $dest"
  if [[ $SOURCE =~ ^(https?|ssh|git|file)://|^git@ ]]; then
    command -v git >/dev/null || apt_install_missing git
    from=$(mktemp -d); TMP_FILES+=("$from")
    run git clone --quiet --depth 1 "$SOURCE" "$from"
  else
    if ! grep -qs '"name": "hallmonitor"' "$SOURCE/package.json"; then
      die "--source $SOURCE: not a hallmonitor package (no package.json naming hallmonitor)"
    fi
    from=$(cd "$SOURCE" && pwd)
  fi
  if [ "$from" = "$dest" ]; then
    die "--source is the install location $dest itself; give the checkout to install from"
  fi

  run rm -rf -- "$stage"
  run mkdir -p -- "$stage"
  # Everything but what only development needs: VCS data, dependencies (npm ci makes them), scratch and
  # demo state (top-level dot-directories), tests with their recordings, benchmarks, a developer's build.
  if [ "$DRY_RUN" -eq 1 ]; then
    say "  would copy $from to $stage (without .git, node_modules, top-level dot-dirs, test/, bench/, dist/)"
  else
    say "  + copy $from to $stage"
    tar -C "$from" --exclude=./.[!.]* --exclude=./node_modules --exclude=./test --exclude=./bench --exclude=./dist \
      --exclude='*/node_modules' -cf - . | tar -C "$stage" --no-same-owner -xf -
    # Readable by the service user even if the checkout was made with a strict umask.
    chmod -R u+rwX,go+rX,go-w "$stage"
  fi

  if [ "$NO_NPM" -eq 1 ]; then
    say "  --no-npm: run 'npm ci --omit=dev' in $PREFIX before starting the service"
  elif reuse_node_modules "$dest" "$stage"; then
    say "  dependencies unchanged (same package-lock.json and node version): kept $dest/node_modules"
  else
    # --omit=dev: tsx and everything the programs import are run-time dependencies; the compilers, test
    # runner and type packages are not needed on a school's Pi.
    # systemd's PATH: npm runs (and native modules build for) the node the service will run.
    run env PATH="$SYSTEMD_PATH" npm ci --prefix "$stage" --omit=dev --no-audit --no-fund --loglevel=error
    record_node_version "$stage"
  fi
  if [ "$PACKAGE_BUILD" -eq 1 ]; then build_package "$stage"; fi

  if [ -e "$dest" ]; then
    run rm -rf -- "$dest.old"
    run mv -- "$dest" "$dest.old"
  fi
  run mv -- "$stage" "$dest"
  run rm -rf -- "$dest.old"
}

# The production build (bin/build.js, what `npm run build` runs): the program as plain JavaScript in dist/,
# which its bin runs instead of the TypeScript sources through tsx: 25-45 MB less resident memory for
# the agent, 30-50 MB for the collector (docs/sizing.md). It needs the packages npm ci installed (esbuild comes
# with tsx) and takes seconds. Without it the program still runs, from its sources, so a failed build is a
# warning, not a failed install.
build_package() {
  local stage=$1
  if [ "$NO_NPM" -eq 1 ]; then
    say "  --no-npm: after npm ci, also run 'npm run build' in $PREFIX (without it the service runs its sources, using more memory)"
    return
  fi
  if ! run env PATH="$SYSTEMD_PATH" "$NODE_BIN" "$stage/bin/build.js"; then
    warn "the production build failed; the service runs the sources through tsx instead (tens of MB more memory)"
  fi
}

# node_modules built for this exact lock file and node version can be reused in the new tree: a rerun of the
# installer then takes seconds instead of minutes (native modules compile slowly on a Raspberry Pi).
reuse_node_modules() {
  local dest=$1 stage=$2 node_version
  node_version=$("$NODE_BIN" --version)
  [ -d "$dest/node_modules" ] && [ -f "$dest/package-lock.json" ] || return 1
  [ "$(cat "$dest/node_modules/.hallmonitor-node-version" 2>/dev/null)" = "$node_version" ] || return 1
  if [ "$DRY_RUN" -eq 1 ]; then
    # Nothing is staged in a dry run: compare with the lock file it would copy.
    cmp -s "$dest/package-lock.json" "$SOURCE/package-lock.json" 2>/dev/null || return 1
  else
    cmp -s "$dest/package-lock.json" "$stage/package-lock.json" || return 1
  fi
  # Hard links: the running install keeps its node_modules until the swap; npm never edits files in place.
  run cp -al -- "$dest/node_modules" "$stage/node_modules"
}

record_node_version() {
  if [ "$DRY_RUN" -eq 0 ]; then "$NODE_BIN" --version >"$1/node_modules/.hallmonitor-node-version"; fi
}

# /etc/hallmonitor: root:hallmonitor 0750. The services read it and cannot write it; the units'
# ConfigurationDirectoryMode is the same 0750 (systemd leaves an existing directory's owner and mode alone).
ensure_etc_dir() {
  local dir=$ROOT$ETC_DIR
  if [ ! -d "$dir" ]; then
    install_owned -d -m 0750 "$dir"
    return
  fi
  if on_target && [ "$(stat -c %U:%G "$dir")" != "root:$SERVICE_USER" ]; then run chown root:"$SERVICE_USER" "$dir"; fi
  if [ "$(stat -c %a "$dir")" != 750 ]; then run chmod 0750 "$dir"; fi
}

# Reads the config given with --config (a file, or "-" for stdin) into a private temp file, CONFIG_TMP.
# Done before the slow steps, so a piped config is taken at once.
CONFIG_TMP=""
read_config_arg() {
  CONFIG_TMP=$(umask 077 && mktemp); TMP_FILES+=("$CONFIG_TMP")
  if [ "$CONFIG_ARG" = - ]; then
    [ ! -t 0 ] || say "reading the config from the terminal; end with Ctrl-D" >&2
    cat >"$CONFIG_TMP"
  else
    [ -f "$CONFIG_ARG" ] || die "--config $CONFIG_ARG: no such file"
    cat -- "$CONFIG_ARG" >"$CONFIG_TMP"
  fi
  [ -s "$CONFIG_TMP" ] || die "--config $CONFIG_ARG: empty"
  # A pasted snippet may lack the final newline; lines appended later must not join its last line.
  [ -z "$(tail -c 1 "$CONFIG_TMP")" ] || printf '\n' >>"$CONFIG_TMP"
}

# Puts a config file in place, mode 0640 root:hallmonitor (it may hold a password). An identical file is
# left alone; a different one is kept as <name>.previous.
install_config() {
  local new=$1 dest=$2
  if [ -f "$dest" ] && cmp -s "$new" "$dest"; then
    say "  $dest unchanged"
    return
  fi
  if [ -f "$dest" ]; then run cp -p -- "$dest" "$dest.previous"; fi
  install_owned -m 0640 "$new" "$dest"
}

# Copies a unit from the package (with the install location substituted) to /etc/systemd/system.
install_unit() {
  local name=$1 unit_src tmp dest=$ROOT$UNIT_DIR/$1
  # In a dry run nothing is staged, so the unit comes from the source checkout.
  unit_src=$ROOT$PREFIX/deploy/systemd/$name
  [ "$DRY_RUN" -eq 0 ] || unit_src=$REPO_DIR/deploy/systemd/$name
  [ -f "$unit_src" ] || die "$unit_src: missing from the package"
  tmp=$(mktemp); TMP_FILES+=("$tmp")
  sed "s|/opt/hallmonitor|$PREFIX|g" "$unit_src" >"$tmp"
  if [ -f "$dest" ] && cmp -s "$tmp" "$dest"; then
    say "  $dest unchanged"
  else
    run mkdir -p -- "$ROOT$UNIT_DIR"
    run install -m 0644 "$tmp" "$dest"
  fi
}

# Enables the unit for boot and (re)starts it so a new package or config takes effect.
enable_and_start() {
  local service=$1
  step "systemd: enable and start $service"
  if ! on_target; then
    say "  skipped under --root; on the target: systemctl enable --now $service"
    return
  fi
  if [ ! -d /run/systemd/system ]; then
    say "  systemd is not running here (container or chroot?); on the booted system: systemctl enable --now $service"
    return
  fi
  run systemctl daemon-reload
  run systemctl enable --quiet "$service"
  if [ "$NO_START" -eq 1 ]; then
    say "  --no-start: start it with: systemctl start $service"
    return
  fi
  run systemctl restart "$service"
  if [ "$DRY_RUN" -eq 0 ]; then
    sleep 3  # long enough for a config error (exit 2) to show; a running service stays active
    if systemctl is-active --quiet "$service"; then
      say "  $service is running"
    else
      warn "$service is not running; see: journalctl -u $service -n 50 --no-pager"
    fi
  fi
}

# Puts the checked config in place, then the service's unit, enabled and started. A dry run ends here.
# SERVICE and CONF are set by the installer that sources this file.
# shellcheck disable=SC2153
install_config_and_service() {
  local candidate=$1
  if [ "$candidate" != "$ROOT$CONF" ]; then
    install_config "$candidate" "$ROOT$CONF"
    run rm -f -- "$candidate"
  fi
  step "systemd unit"
  install_unit "$SERVICE.service"
  enable_and_start "$SERVICE"
  if [ "$DRY_RUN" -eq 1 ]; then say $'\nDry run: nothing was changed.'; exit 0; fi
}
