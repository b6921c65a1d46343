#!/usr/bin/env bash
# Installs the hallmonitor collector on the provider's Debian 12 server, as a systemd service running as the
# system user "hallmonitor". InfluxDB 1.x may run here (--influxdb) or elsewhere (the collector creates its
# database on start); the MQTT broker is the collector's own, or Mosquitto on this server (--mosquitto).
#
#   sudo bash deploy/install/install-collector.sh                          (first time: a starter collector.yaml)
#   sudo bash deploy/install/install-collector.sh --config collector.yaml --sites ./sites
#   sudo bash deploy/install/install-collector.sh                          (upgrade: keeps the installed config)
#
# What it does, each step only if needed (so running it again is safe, and is how you upgrade):
#   1. checks Node.js >= 20.19 is where systemd finds it (says how to install it if not)
#   2. apt installs python3, make and g++ in case npm must compile better-sqlite3; creates the user hallmonitor
#   3. copies this package to /opt/hallmonitor, runs `npm ci --omit=dev` there and builds the collector as
#      plain JavaScript (bin/build.js, what `npm run build` runs: less memory than its sources through tsx)
#   4. writes /etc/hallmonitor/collector.yaml (root:hallmonitor 0640) from --config, or from the example if
#      there is none yet; copies --sites *.yaml to /etc/hallmonitor/sites; keeps the agents file in
#      /var/lib/hallmonitor-collector/agents.yaml, where `agent add` run as hallmonitor can write it
#   5. TLS for agents: a private CA and a server certificate for --tls-name in /etc/hallmonitor/tls (openssl,
#      once; the CA key stays there, root-only), or the provider's own files given with --tls-cert/--tls-key
#   6. with --influxdb: apt installs influxdb and puts deploy/influxdb/influxdb.conf (TSI index, series limits,
#      cache and compaction: docs/sizing.md) in /etc/influxdb, the old one kept as influxdb.conf.previous
#   7. with --mosquitto (collector.yaml broker.mode: external): apt installs mosquitto, puts
#      deploy/mosquitto/hallmonitor.conf in /etc/mosquitto/conf.d (agents over TLS on 8883 with the certificate
#      of step 5; plain 1883 on loopback only, for this collector) and the password and ACL files from
#      `hallmonitor-collector mosquitto-files` in /etc/mosquitto
#   8. checks it all with `hallmonitor-collector check-config` as the service user
#   9. installs /etc/systemd/system/hallmonitor-collector.service, enables it and (re)starts it
#
# Options:
#   --config FILE|-   collector.yaml to install; "-" reads it from stdin. Without it the installed one is kept.
#   --sites DIR       copy DIR/*.yaml (one file per school) into /etc/hallmonitor/sites
#   --tls-name NAME   the name agents use to reach this server (DNS name or IP; default: hostname -f)
#   --tls-cert FILE --tls-key FILE   your own certificate and key instead of the private CA (PEM)
#   --influxdb        InfluxDB runs on this server: install it with the recommended settings (step 6)
#   --mosquitto       agents and collectors log in to Mosquitto on this server (step 7)
#   --source DIR|URL  package to install: a directory (default: the checkout holding this script) or a git URL
#   --prefix DIR      install location (default /opt/hallmonitor)
#   --root DIR        install under DIR as if it were / (staging an image); skips apt, the user, file ownership
#                     and systemctl, which belong to the target system
#   --no-npm          copy the package but do not run npm ci (then run it yourself before starting)
#   --no-start        enable the service but do not (re)start it
#   --dry-run         print what would be done and change nothing
#   -h, --help
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source-path=SCRIPTDIR source=collector-peers.sh
. "$(dirname "${BASH_SOURCE[0]}")/collector-peers.sh"

SERVICE=hallmonitor-collector
STATE_DIR=/var/lib/hallmonitor-collector   # the unit's StateDirectory
AGENTS_FILE=$STATE_DIR/agents.yaml
SITES_ARG=""
TLS_NAME=""
TLS_CERT=""
TLS_KEY=""
WITH_INFLUXDB=0
WITH_MOSQUITTO=0

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --sites) [ $# -ge 2 ] || die "--sites needs a directory"; SITES_ARG=$2; shift 2 ;;
    --sites=*) SITES_ARG=${1#*=}; shift ;;
    --tls-name) [ $# -ge 2 ] || die "--tls-name needs a name"; TLS_NAME=$2; shift 2 ;;
    --tls-cert) [ $# -ge 2 ] || die "--tls-cert needs a file"; TLS_CERT=$2; shift 2 ;;
    --tls-key) [ $# -ge 2 ] || die "--tls-key needs a file"; TLS_KEY=$2; shift 2 ;;
    --influxdb) WITH_INFLUXDB=1; shift ;;
    --mosquitto) WITH_MOSQUITTO=1; shift ;;
    *) parse_common_option "$@" || die "unknown argument: $1 (try --help)"; shift "$SHIFT_BY" ;;
  esac
done
check_common_options
[ -z "$SITES_ARG" ] || [ -d "$SITES_ARG" ] || die "--sites $SITES_ARG: no such directory"
{ [ -z "$TLS_CERT" ] && [ -z "$TLS_KEY" ]; } || { [ -f "$TLS_CERT" ] && [ -f "$TLS_KEY" ]; } || die "--tls-cert and --tls-key: give both, as readable PEM files"

CONF=$ETC_DIR/collector.yaml
[ -z "$CONFIG_ARG" ] || read_config_arg
# --mosquitto serves a collector in external mode; said before anything is installed, so a wrong config
# leaves no half-configured broker behind.
if [ "$WITH_MOSQUITTO" -eq 1 ]; then
  mode_from=${CONFIG_TMP:-$ROOT$CONF}
  grep -qE '^[[:space:]]+mode:[[:space:]]*["'"'"']?external' "$mode_from" 2>/dev/null ||
    die "--mosquitto: collector.yaml must say broker.mode: external, with broker.external.url: mqtt://127.0.0.1:1883 (see docs/operations.md)"
fi

[ "$DRY_RUN" -eq 0 ] || say "dry run: nothing is changed"
check_node

step "Debian packages"
packages=("${BUILD_PACKAGES[@]}")
[ "$WITH_INFLUXDB" -eq 0 ] || packages+=(influxdb)
[ "$WITH_MOSQUITTO" -eq 0 ] || packages+=(mosquitto)
if on_target; then
  apt_install_missing "${packages[@]}"
else
  say "  skipped under --root (the target needs: ${packages[*]})"
fi

ensure_user
# The production build (dist/, bin/build.js): the collector without tsx, tens of MB less resident memory.
PACKAGE_BUILD=1
install_package

step "config $CONF"
ensure_etc_dir
if [ -z "$CONFIG_TMP" ] && [ ! -f "$ROOT$CONF" ]; then
  # First install without a config: start from the example, which a provider edits (InfluxDB URL, port).
  say "  no config given: starting from deploy/examples/collector.yaml (edit influx.url and broker to suit)"
  CONFIG_TMP=$(umask 077 && mktemp); TMP_FILES+=("$CONFIG_TMP")
  # The example that came with the installed code, so it matches the schema that checks it below.
  example=$ROOT$PREFIX/deploy/examples/collector.yaml
  [ "$DRY_RUN" -eq 0 ] || example=$REPO_DIR/deploy/examples/collector.yaml
  cp "$example" "$CONFIG_TMP"
fi
# Sets a top-level key of the config being installed to a path on the target system, saying so.
set_config_key() {
  local key=$1 value=$2
  if grep -q "^$key:" "$CONFIG_TMP"; then
    grep -q "^$key:[[:space:]]*$value\([[:space:]]\|$\)" "$CONFIG_TMP" || {
      say "  setting $key: $value"
      sed -i "s|^$key:.*|$key: $value  # set by install-collector.sh|" "$CONFIG_TMP"
    }
  else
    say "  adding $key: $value"
    printf '# Added by install-collector.sh.\n%s: %s\n' "$key" "$value" >>"$CONFIG_TMP"
  fi
}
if [ -n "$CONFIG_TMP" ]; then
  # `agent add` rewrites the agents file (mode 0600) as whoever runs it. Under /etc that would be root, and
  # the service could not read it; in the state directory it is hallmonitor's, and the service reads it.
  set_config_key agentsFile "$AGENTS_FILE"
  # The write-ahead log must be writable by the service, and /etc is read-only to it (ProtectSystem=strict).
  set_config_key dataDir "$STATE_DIR"
  candidate=$ROOT$CONF.new
  install_owned -m 0640 "$CONFIG_TMP" "$candidate"
else
  say "  keeping the installed $CONF"
  candidate=$ROOT$CONF
fi

# Site files: root:hallmonitor, readable by the service, edited by the admin.
sites_dir=$ROOT$ETC_DIR/sites
[ -d "$sites_dir" ] || install_owned -d -m 0750 "$sites_dir"
if [ -n "$SITES_ARG" ]; then
  for site in "$SITES_ARG"/*.yaml; do
    [ -e "$site" ] || { warn "--sites $SITES_ARG: no *.yaml files"; break; }
    if [ -f "$sites_dir/$(basename "$site")" ] && cmp -s "$site" "$sites_dir/$(basename "$site")"; then continue; fi
    install_owned -m 0640 "$site" "$sites_dir/$(basename "$site")"
  done
fi

# The agents file, owned by the service user; empty until the first `agent add`. The collector refuses
# to start without it, so create it now.
step "agents file $AGENTS_FILE"
if [ -f "$ROOT$AGENTS_FILE" ]; then
  say "  exists"
else
  if on_target; then
    run install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$ROOT$STATE_DIR"
  else
    run install -d -m 0750 "$ROOT$STATE_DIR"
  fi
  empty=$(mktemp); TMP_FILES+=("$empty")
  # shellcheck disable=SC2016  # $7$ is text, not an expansion
  printf '%s\n' '# Agent credentials ($7$ PBKDF2 hashes), written by hallmonitor-collector agent add.' 'agents: []' >"$empty"
  if on_target; then
    run install -m 0600 -o "$SERVICE_USER" -g "$SERVICE_USER" "$empty" "$ROOT$AGENTS_FILE"
  else
    run install -m 0600 "$empty" "$ROOT$AGENTS_FILE"
  fi
fi

# TLS for the agents (collector.yaml broker.tls: tls/collector.pem and tls/collector.key beside it). Agent
# passwords travel in the MQTT CONNECT: the collector refuses a plain listener other machines can reach.
step "TLS certificate in $ETC_DIR/tls"
tls_dir=$ROOT$ETC_DIR/tls
[ -d "$tls_dir" ] || install_owned -d -m 0750 "$tls_dir"
if [ -n "$TLS_CERT" ]; then
  install_owned -m 0640 "$TLS_CERT" "$tls_dir/collector.pem"
  install_owned -m 0640 "$TLS_KEY" "$tls_dir/collector.key"
elif [ -f "$tls_dir/collector.pem" ]; then
  say "  exists (kept)"
else
  name=${TLS_NAME:-$(hostname -f 2>/dev/null || hostname)}
  # An address goes in as an IP name (RFC 5280 §4.2.1.6), anything else as a DNS name.
  case $name in *:*) san="IP:$name" ;; *[!0-9.]*) san="DNS:$name" ;; *) san="IP:$name" ;; esac
  say "  a private CA and a certificate for $name ($san), valid 10 years"
  if [ "$DRY_RUN" -eq 0 ]; then
    work=$(umask 077 && mktemp -d); TMP_FILES+=("$work")
    (
      umask 077
      cd "$work"
      ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
      openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 3650 -subj "/CN=hallmonitor CA $name" 2>/dev/null
      openssl req "${ec[@]}" -keyout collector.key -out collector.csr -subj "/CN=$name" 2>/dev/null
      printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" >collector.ext
      openssl x509 -req -in collector.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out collector.pem -days 3650 -extfile collector.ext 2>/dev/null
    )
    # The CA key signs nothing else: root-only. The agents get ca.pem (agent add --ca).
    run install -m 0600 "$work/ca.key" "$tls_dir/ca.key"
    run install -m 0644 "$work/ca.pem" "$tls_dir/ca.pem"
    install_owned -m 0640 "$work/collector.pem" "$tls_dir/collector.pem"
    install_owned -m 0640 "$work/collector.key" "$tls_dir/collector.key"
  fi
fi

[ "$WITH_INFLUXDB" -eq 0 ] || install_influxdb_settings
[ "$WITH_MOSQUITTO" -eq 0 ] || install_mosquitto_mode "$tls_dir" "$candidate"

# Validate with the installed code, as the service user where there is one: that also proves the user can
# read the config, the sites and the agents file. A bad new config is not installed; the old one stays.
# (Under --root the agents file path points at the target system, so there is nothing to check it against.)
step "check the config as the service would read it"
if [ "$DRY_RUN" -eq 1 ]; then
  say "  would check it: node $PREFIX/bin/hallmonitor-collector.js check-config -c $CONF"
elif [ ! -d "$ROOT$PREFIX/node_modules" ]; then
  say "  not checked: no node_modules yet (--no-npm)"
elif ! on_target; then
  say "  not checked under --root: agentsFile is an absolute path on the target system"
else
  if ! (cd / && runuser -u "$SERVICE_USER" -- "$NODE_BIN" "$PREFIX/bin/hallmonitor-collector.js" check-config -c "$candidate"); then
    [ "$candidate" = "$ROOT$CONF" ] || rm -f -- "$candidate"
    die "the config above is not valid; $CONF was not changed"
  fi
fi
install_config_and_service "$candidate"
cat <<EOF

Done. Check the collector with:
  systemctl status $SERVICE
  journalctl -u $SERVICE -f
Next: one file per school in $ETC_DIR/sites/ (example: $PREFIX/deploy/examples/sites/), then for each school
  sudo -u $SERVICE_USER node $PREFIX/bin/hallmonitor-collector.js agent add --site <site> \\
    --broker-url mqtts://<this server>:8883 --ca $ETC_DIR/tls/ca.pem -c $CONF
and give its output to install-agent.sh at the school (--config -). Run agent add as $SERVICE_USER: it
rewrites $AGENTS_FILE, which must stay readable by the service.
EOF
if [ "$WITH_MOSQUITTO" -eq 1 ]; then
  say "With Mosquitto: after each agent add or revoke, run this installer again with --mosquitto (it writes"
  say "Mosquitto's logins and ACL again and reloads it; connected agents stay connected)."
fi
