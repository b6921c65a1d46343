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
#      `dataDir: /var/lib/hallmonitor-agent` if missing (the only place the service may write), and checks
#      it with `hallmonitor-agent check-config` as the service user
#   6. installs /etc/systemd/system/hallmonitor-agent.service, enables it and (re)starts it
#
# Options:
#   --config FILE|-   agent.yaml to install; "-" reads it from stdin. Without it the installed one is kept.
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

while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    *) parse_common_option "$@" || die "unknown argument: $1 (try --help)"; shift "$SHIFT_BY" ;;
  esac
done
check_common_options

CONF=$ETC_DIR/agent.yaml
if [ -n "$CONFIG_ARG" ]; then
  read_config_arg
elif [ ! -f "$ROOT$CONF" ]; then
  die "no $CONF yet: give the agent's config with --config FILE (or --config - to read it from stdin).
It is the snippet \`hallmonitor-collector agent add --site <site> --broker-url mqtt://<collector>:1883\` printed."
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
