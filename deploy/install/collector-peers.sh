# The collector's peers on the same server, for install-collector.sh --influxdb and --mosquitto; sourced by it
# (after common.sh), not run on its own. Like every step there, each checks what is already there first.
# shellcheck shell=bash

# Debian's files for the two peers, as seen on the target system.
INFLUX_CONF=/etc/influxdb/influxdb.conf
INFLUX_DATA=/var/lib/influxdb/data
MOSQUITTO_CONF=/etc/mosquitto/conf.d/hallmonitor.conf
MOSQUITTO_CERT=/etc/mosquitto/certs/hallmonitor.crt
MOSQUITTO_KEY=/etc/mosquitto/certs/hallmonitor.key

# A file of the package being installed; in a dry run nothing is staged, so the one in the source checkout.
package_file() {
  if [ "$DRY_RUN" -eq 1 ]; then printf '%s\n' "$REPO_DIR/$1"; else printf '%s\n' "$ROOT$PREFIX/$1"; fi
}

# Puts `new` at `dest` with the given install(1) options unless it is there already; a different file is kept
# as <dest>.previous. Returns 0 if it changed something.
replace_file() {
  local new=$1 dest=$2
  shift 2
  if [ -f "$dest" ] && cmp -s "$new" "$dest"; then
    say "  $dest unchanged"
    return 1
  fi
  if [ -f "$dest" ]; then run cp -p -- "$dest" "$dest.previous"; fi
  [ -d "$(dirname "$dest")" ] || run mkdir -p -- "$(dirname "$dest")"
  run install "$@" "$new" "$dest"
}

# Restarts a system service after its config changed, where systemd runs (not under --root).
restart_peer() {
  local service=$1
  if ! on_target || [ ! -d /run/systemd/system ]; then
    say "  restart $service on the target system to apply it"
    return
  fi
  run systemctl restart "$service"
}

# deploy/influxdb/influxdb.conf (TSI index, series limits, cache and compaction, sized in docs/sizing.md) as
# /etc/influxdb/influxdb.conf, checked by the installed influxd, then influxdb restarted.
install_influxdb_settings() {
  local src
  step "InfluxDB settings $INFLUX_CONF"
  src=$(package_file deploy/influxdb/influxdb.conf)
  [ -f "$src" ] || die "$src: missing from the package"
  if on_target && [ "$DRY_RUN" -eq 0 ] && command -v influxd >/dev/null; then
    # influxd reads and merges the file without starting: a key it cannot parse stops the install here.
    influxd config -config "$src" >/dev/null || die "$src: influxd does not accept it (influxd config -config $src)"
  fi
  if replace_file "$src" "$ROOT$INFLUX_CONF" -m 0644; then
    say "  Debian marks $INFLUX_CONF a conffile: a package upgrade asks before replacing it (keep yours)"
    restart_peer influxdb
  fi
  # The index type applies to shards as they are created: shards written with the in-memory index keep it
  # until converted, which needs influxd stopped.
  local shard
  for shard in "$ROOT$INFLUX_DATA"/*/*/*/; do
    [ -d "$shard" ] || continue
    if [ ! -d "$shard/index" ]; then
      say "  note: existing shards use the in-memory index; to convert them (influxd stopped, as influxdb):"
      say "    systemctl stop influxdb"
      say "    sudo -u influxdb influx_inspect buildtsi -datadir $INFLUX_DATA -waldir /var/lib/influxdb/wal"
      say "    systemctl start influxdb"
      break
    fi
  done
}

# Mosquitto for broker.mode: external on this server: deploy/mosquitto/hallmonitor.conf in conf.d (agents over
# TLS on 8883, plain MQTT on loopback only), this server's certificate and key from $ETC_DIR/tls for its TLS
# listener, and the password and ACL files `mosquitto-files` writes from the agents file.
install_mosquitto_mode() {
  local tls_dir=$1 candidate=$2 src owner=() work
  step "Mosquitto (broker.mode: external): $MOSQUITTO_CONF"
  src=$(package_file deploy/mosquitto/hallmonitor.conf)
  [ -f "$src" ] || die "$src: missing from the package"
  # Mosquitto reads its files (and re-reads certificate and key on SIGHUP) as its own user, mosquitto.
  if on_target; then owner=(-o root -g mosquitto); fi
  # A new config or certificate needs a restart; new logins and ACL only a reload (SIGHUP), which keeps
  # every agent connected.
  local changed=0 reload=0
  replace_file "$src" "$ROOT$MOSQUITTO_CONF" -m 0644 && changed=1
  if [ "$DRY_RUN" -eq 1 ] && [ ! -f "$tls_dir/collector.pem" ]; then
    say "  would install $tls_dir/collector.pem and collector.key as $MOSQUITTO_CERT and $MOSQUITTO_KEY (root:mosquitto 0640)"
  else
    replace_file "$tls_dir/collector.pem" "$ROOT$MOSQUITTO_CERT" "${owner[@]}" -m 0640 && changed=1
    replace_file "$tls_dir/collector.key" "$ROOT$MOSQUITTO_KEY" "${owner[@]}" -m 0640 && changed=1
  fi

  # Logins and ACL from the agent registry and collector.yaml's broker.external (it must be mode: external).
  if ! on_target; then
    say "  password and ACL files: on the target, hallmonitor-collector mosquitto-files (see $MOSQUITTO_CONF)"
  elif [ "$DRY_RUN" -eq 1 ]; then
    say "  would run: node $PREFIX/bin/hallmonitor-collector.js mosquitto-files --out <temp> -c $CONF, and install its two files in /etc/mosquitto"
  elif [ ! -d "$ROOT$PREFIX/node_modules" ]; then
    say "  password and ACL files not written: no node_modules yet (--no-npm); then run mosquitto-files (see $MOSQUITTO_CONF)"
  else
    work=$(umask 077 && mktemp -d); TMP_FILES+=("$work")
    (cd / && "$NODE_BIN" "$PREFIX/bin/hallmonitor-collector.js" mosquitto-files --out "$work" -c "$candidate") ||
      die "mosquitto-files failed (does $CONF say broker.mode: external, with broker.external?)"
    replace_file "$work/hallmonitor.passwd" /etc/mosquitto/hallmonitor.passwd "${owner[@]}" -m 0640 && reload=1
    replace_file "$work/hallmonitor.acl" /etc/mosquitto/hallmonitor.acl "${owner[@]}" -m 0640 && reload=1
  fi
  if [ "$changed" -eq 1 ]; then
    restart_peer mosquitto
  elif [ "$reload" -eq 1 ] && [ -d /run/systemd/system ]; then
    run systemctl reload mosquitto
  fi
}
