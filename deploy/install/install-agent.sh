#!/usr/bin/env bash
# Installs the hallmonitor agent on a school's Debian 12 or Raspberry Pi OS (bookworm) machine, as a
# systemd service running as the system user "hallmonitor".
#
#   sudo bash deploy/install/install-agent.sh --config agent.yaml
#   sudo bash deploy/install/install-agent.sh --config - < agent.yaml     (the snippet `agent add` printed)
#   sudo bash deploy/install/install-agent.sh                             (upgrade: keeps the installed config)
#
# What it does, each step only if needed (so running it again is safe, and is how you upgrade):
#   1. checks Node.js >= 20.19 is where systemd finds it (says how to install it if not)
#   2. apt installs iputils-ping, fping and libcap2-bin (setcap, so ping gets cap_net_raw, not setuid), and
#      python3, make and g++ in case npm must compile better-sqlite3
#   3. creates the system user hallmonitor
#   4. copies this package to /opt/hallmonitor, runs `npm ci --omit=dev` there and builds the agent's
#      production code into dist/ (bin/build.js, as `npm run build`: less memory than running the sources)
#   5. writes /etc/hallmonitor/agent.yaml (root:hallmonitor 0640: it holds the agent's password), adding
#      `dataDir: /var/lib/hallmonitor-agent` if missing (the only place the service may write); saves the
#      collector's CA that `agent add --ca` pinned (the PEM in the snippet's comment lines, or --ca FILE) where
#      broker.ca says, /etc/hallmonitor/hallmonitor-ca.pem (root:hallmonitor 0644: public, and the service
#      must not be able to swap its own trust anchor); and checks it all with `hallmonitor-agent check-config`
#      as the service user
#   6. installs /etc/systemd/system/hallmonitor-agent.service, enables it and (re)starts it
#
# Options:
#   --config FILE|-   agent.yaml to install; "-" reads it from stdin. Without it the installed one is kept.
#   --ca FILE         the CA certificate (PEM) broker.ca names, when the config does not carry it
#   --source DIR|URL  package to install: a directory (default: the checkout holding this script) or a git URL
#   --prefix DIR      install location (default /opt/hallmonitor)
#   --root DIR        install under DIR as if it were / (staging an image); skips apt, the user, file
#                     ownership and systemctl, which belong to the target system
#   --no-npm          copy the package but do not run npm ci (then run it yourself before starting)
#   --no-start        enable the service but do not (re)start it
#   --dry-run         print what would be done and change nothing
#   -h, --help
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SERVICE=hallmonitor-agent
STATE_DIR=/var/lib/hallmonitor-agent   # the unit's StateDirectory

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

# broker.ca of an agent.yaml in block style (as `agent add` prints it): the value without quotes or comment;
# empty if there is none.
broker_ca_of() {
  awk '
    /^[^[:space:]#]/ { in_broker = ($0 ~ /^broker:[[:space:]]*(#.*)?$/) }
    in_broker && /^[[:space:]]+ca:/ {
      sub(/^[[:space:]]+ca:[[:space:]]*/, ""); sub(/[[:space:]]+#.*$/, ""); sub(/[[:space:]]+$/, "")
      gsub(/^["\047]|["\047]$/, ""); print; exit
    }' "$1"
}

# The PEM that `agent add --ca` appends to the snippet as comment lines ("# -----BEGIN CERTIFICATE-----" to
# "# -----END CERTIFICATE-----"), without the "# " (and without a CR a Windows paste may add). Every
# certificate in it, in order; nothing else.
pem_from_snippet() {
  sed -n 's/\r$//; /^# -----BEGIN CERTIFICATE-----$/,/^# -----END CERTIFICATE-----$/ s/^# //p' "$1"
}

# True if the file is one or more PEM certificates and nothing else (RFC 7468 §2: base64 lines between the
# BEGIN and END lines), and openssl, where installed, reads the first one as an X.509 certificate.
check_pem_certificate() {
  local file=$1
  head -n 1 "$file" | grep -qx -- '-----BEGIN CERTIFICATE-----' || return 1
  tail -n 1 "$file" | grep -qx -- '-----END CERTIFICATE-----' || return 1
  ! grep -qvE '^(-----(BEGIN|END) CERTIFICATE-----|[A-Za-z0-9+/]{1,76}={0,2})$' "$file" || return 1
  if command -v openssl >/dev/null; then openssl x509 -in "$file" -noout 2>/dev/null || return 1; fi
}

# Puts the pinned CA in place, root:hallmonitor 0644: a certificate is public, and the service (which reads it
# through its group) must not be able to replace its own trust anchor. A different one is kept as .previous
# until the new config has passed its check (restore_ca puts it back if not).
CA_PREVIOUS=""
CA_INSTALLED=""
install_ca() {
  local new=$1 dest=$2
  step "pinned CA $dest"
  if [ -f "$dest" ] && cmp -s "$new" "$dest"; then
    say "  $dest unchanged"
    return
  fi
  if [ -f "$dest" ]; then run cp -p -- "$dest" "$dest.previous"; CA_PREVIOUS=$dest; fi
  [ -d "$(dirname "$dest")" ] || install_owned -d -m 0750 "$(dirname "$dest")"
  install_owned -m 0644 "$new" "$dest"
  CA_INSTALLED=$dest
}
restore_ca() {
  if [ -n "$CA_PREVIOUS" ]; then
    run mv -f -- "$CA_PREVIOUS.previous" "$CA_PREVIOUS"
  elif [ -n "$CA_INSTALLED" ]; then
    run rm -f -- "$CA_INSTALLED"
  fi
}

CA_ARG=""
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --ca) [ $# -ge 2 ] || die "--ca needs a file"; CA_ARG=$2; shift 2 ;;
    --ca=*) CA_ARG=${1#*=}; shift ;;
    *) parse_common_option "$@" || die "unknown argument: $1 (try --help)"; shift "$SHIFT_BY" ;;
  esac
done
check_common_options

CONF=$ETC_DIR/agent.yaml
if [ -n "$CONFIG_ARG" ]; then
  read_config_arg
elif [ ! -f "$ROOT$CONF" ]; then
  die "no $CONF yet: give the agent's config with --config FILE (or --config - to read it from stdin).
It is the snippet \`hallmonitor-collector agent add --site <site> --broker-url mqtts://<collector>:8883 --ca /etc/hallmonitor/tls/ca.pem\` printed."
fi

# The pinned CA, settled before the slow steps so a missing or damaged certificate stops the install at once.
# broker.ca is read relative to agent.yaml (agent/config/load.ts), so a relative name lands in $ETC_DIR.
CA_DEST=""   # where broker.ca points on the target system; empty when the config names none
CA_TMP=""    # the PEM to put there; empty to keep what is there
[ -z "$CA_ARG" ] || [ -n "$CONFIG_TMP" ] || die "--ca goes with --config (the CA belongs to the config that names it)"
if [ -n "$CONFIG_TMP" ]; then
  ca_name=$(broker_ca_of "$CONFIG_TMP")
  case $ca_name in
    "") ;;
    /*) CA_DEST=$ca_name ;;
    *) CA_DEST=$ETC_DIR/$ca_name ;;
  esac
  pem=$(umask 077 && mktemp); TMP_FILES+=("$pem")
  if [ -n "$CA_ARG" ]; then
    [ -f "$CA_ARG" ] || die "--ca $CA_ARG: no such file"
    cat -- "$CA_ARG" >"$pem"
  else
    pem_from_snippet "$CONFIG_TMP" >"$pem"
  fi
  if [ -s "$pem" ]; then
    [ -n "$CA_DEST" ] || die "a CA certificate was given but broker: in the config has no ca: key naming its file (add ca: hallmonitor-ca.pem under broker:)"
    # This runs as root: the file it writes is a plain .pem/.crt name beside agent.yaml, never a path a pasted
    # config could aim at another file (../../etc/..., agent.yaml itself).
    case $ca_name in
      */*|.*|*[!A-Za-z0-9._-]*) die "broker.ca: $ca_name: the installer saves the CA beside agent.yaml; name it with a plain file name such as hallmonitor-ca.pem" ;;
      *.pem|*.crt) ;;
      *) die "broker.ca: $ca_name: expected a file name ending in .pem or .crt, such as hallmonitor-ca.pem" ;;
    esac
    check_pem_certificate "$pem" || die "${CA_ARG:-the config}: the CA certificate is damaged (expected one PEM certificate, as agent add --ca prints it)"
    CA_TMP=$pem
  elif [ -n "$CA_DEST" ] && [ ! -f "$ROOT$CA_DEST" ]; then
    die "broker.ca names $CA_DEST, which is not there and the config does not carry it: give it with --ca FILE (the collector's /etc/hallmonitor/tls/ca.pem), or paste the whole output of agent add --ca"
  fi
  broker_url=$(sed -n 's/^[[:space:]]\{1,\}url:[[:space:]]*["'"'"']\{0,1\}\([^"'"'"'#[:space:]]*\).*/\1/p' "$CONFIG_TMP" | head -n 1)
  case $broker_url in
    mqtt://127.*|mqtt://localhost[:/]*|mqtt://\[::1\]*) ;;
    mqtt://*) warn "broker.url is $broker_url: the agent's password would cross the network in clear; use mqtts://<collector>:8883 (agent add --broker-url ... --ca ...)" ;;
    mqtts://*) [ -n "$CA_DEST" ] || say "  note: no broker.ca: the agent trusts the system's CA store (right for a public certificate such as Let's Encrypt's)" ;;
  esac
fi

[ "$DRY_RUN" -eq 0 ] || say "dry run: nothing is changed"
check_node

step "Debian packages"
if on_target; then
  # The agent runs the system ping. libcap2-bin first: iputils-ping's postinst uses its setcap to give ping
  # cap_net_raw (and falls back to a setuid-root ping without it). fping: for a later, faster ping check.
  apt_install_missing libcap2-bin iputils-ping fping "${BUILD_PACKAGES[@]}"
else
  say "  skipped under --root (the target needs: libcap2-bin iputils-ping fping ${BUILD_PACKAGES[*]})"
fi

ensure_user
PACKAGE_BUILD=1
install_package

step "config $CONF"
ensure_etc_dir
if [ -n "$CONFIG_TMP" ]; then
  # The snippet from `agent add` has no dataDir; the default ("data" beside agent.yaml) would be under /etc,
  # which the service cannot write (ProtectSystem=strict). Its state belongs in its StateDirectory.
  data_dir=$(sed -n 's/^dataDir:[[:space:]]*\([^#[:space:]]*\).*/\1/p' "$CONFIG_TMP" | tr -d "\"'")
  if [ -z "$data_dir" ]; then
    say "  adding dataDir: $STATE_DIR (the service may write only there)"
    printf '# Added by install-agent.sh: the systemd unit lets the agent write only here.\ndataDir: %s\n' \
      "$STATE_DIR" >>"$CONFIG_TMP"
  elif [ "$data_dir" != "$STATE_DIR" ]; then
    warn "dataDir is $data_dir; the service can write only to $STATE_DIR (set dataDir: $STATE_DIR)"
  fi
  if grep -q '^[[:space:]]*passwordFile:' "$CONFIG_TMP"; then
    say "  note: broker.passwordFile is read relative to $ETC_DIR; make it root:$SERVICE_USER mode 0640"
  fi
  candidate=$ROOT$CONF.new
  install_owned -m 0640 "$CONFIG_TMP" "$candidate"
  if [ -n "$CA_TMP" ]; then install_ca "$CA_TMP" "$ROOT$CA_DEST"; fi
else
  say "  keeping the installed $CONF"
  candidate=$ROOT$CONF
fi

# Validate with the installed code, as the service user where there is one: that also proves the user can
# read the config, its password file and the package. A bad new config is not installed; the old one stays.
step "check the config as the service would read it"
if [ "$DRY_RUN" -eq 1 ]; then
  say "  would check it: node $PREFIX/bin/hallmonitor-agent.js check-config -c $CONF"
elif [ ! -d "$ROOT$PREFIX/node_modules" ]; then
  say "  not checked: no node_modules yet (--no-npm)"
else
  as_user=()
  if on_target; then as_user=(runuser -u "$SERVICE_USER" --); fi
  if ! (cd / && "${as_user[@]}" "$NODE_BIN" "$ROOT$PREFIX/bin/hallmonitor-agent.js" check-config -c "$candidate"); then
    [ "$candidate" = "$ROOT$CONF" ] || rm -f -- "$candidate"
    restore_ca
    die "the config above is not valid; nothing was changed in $ETC_DIR"
  fi
fi
install_config_and_service "$candidate"
cat <<EOF

Done. Check the agent with:
  systemctl status $SERVICE
  journalctl -u $SERVICE -f        # "connected to broker", then "polling" with the number of devices
The collector shows the agent online once it has connected. Config: $CONF; state: $STATE_DIR.
Upgrade: run this installer again from the new checkout (the config is kept).
EOF
