#!/usr/bin/env bash
# hallmonitor demo: a simulated school on this machine, end to end.
#
#   bash deploy/demo/run.sh [--stop-after SECONDS]      (or: npm run demo)
#
# Installs what is missing (bash .ci/install-deps), then runs, all on loopback addresses:
#   influxd    InfluxDB 1.x, data in .demo/influxdb, HTTP on 127.0.0.1:8086 (or a free port)
#   snmpsimd   nine SNMP devices recorded from real hardware, one per address 127.0.1.11-19, port 161
#   collector  hallmonitor-collector with its MQTT broker on 127.0.0.1:1883 (or a free port)
#   agent      hallmonitor-agent for school "demo-school": pings and polls the devices, reports to the collector
# It stays in the foreground until Ctrl-C (or SIGTERM), then stops exactly these processes and keeps .demo/.
# --stop-after N (or HM_DEMO_STOP_AFTER=N): stop N seconds after the agent is up, exit 0 only if every
# device's data arrived in InfluxDB. Run as root (or with sudo) to install packages and use port 161.
set -euo pipefail

cd "$(dirname "$0")/../.."
REPO=$PWD
DEMO=$REPO/.demo
LOGS=$DEMO/logs
RUN=$DEMO/run           # PID files of the processes a run started
SUMMARY_AFTER=15        # seconds after the agent is up
STOP_AFTER=${HM_DEMO_STOP_AFTER:-}

NAMES=()                # processes started by this run, in start order
PIDS=()
SNMP_TMP=""             # copy of the SNMP data when nobody cannot read .demo (see prepare_snmp_data)
RUNNING=0               # 1 once everything is up: a stop by signal is then a normal end
OWN_LOCK=0              # 1 once .demo/run/demo.pid names this run
HAVE_SETPRIV=0; command -v setpriv >/dev/null 2>&1 && HAVE_SETPRIV=1   # util-linux, on every Debian

say() { printf '%s\n' "$*"; }
step() { printf '\n--> %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,13p' "$REPO/deploy/demo/run.sh" | sed 's/^# \{0,1\}//'
}

parse_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --stop-after) [ $# -ge 2 ] || die "--stop-after needs a number of seconds"; STOP_AFTER=$2; shift 2 ;;
      --stop-after=*) STOP_AFTER=${1#*=}; shift ;;
      -h|--help) usage; exit 0 ;;
      *) die "unknown argument: $1 (try --help)" ;;
    esac
  done
  if [ -n "$STOP_AFTER" ] && ! [[ $STOP_AFTER =~ ^[0-9]+$ && $STOP_AFTER -gt 0 ]]; then
    die "--stop-after wants a whole number of seconds, got '$STOP_AFTER'"
  fi
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_deps() {
  step "checking dependencies (apt packages, npm ci)"
  bash .ci/install-deps
  if ! command -v curl >/dev/null 2>&1; then   # only for the example queries printed below
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends curl
  fi
  PATH=$PATH:/usr/sbin:/sbin
}

helper() { node --import tsx "$REPO/deploy/demo/demo.ts" "$@"; }

# --- process bookkeeping: PID plus the kernel's start time, so a PID file never names someone else's process

start_time() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }

same_process() {  # pid starttime
  [ -n "$1" ] && [ -n "$2" ] && [ "$(start_time "$1")" = "$2" ]
}

# A second copy would fight over ports and data; processes left by a run that was killed hard are stopped.
check_previous_run() {
  mkdir -p "$RUN"
  local file pid started
  if [ -f "$RUN/demo.pid" ]; then
    read -r pid started <"$RUN/demo.pid" || true
    if [ "${pid:-}" != "$$" ] && same_process "${pid:-}" "${started:-}"; then
      die "the demo is already running (PID $pid); stop it with Ctrl-C there, or: kill $pid"
    fi
  fi
  for file in "$RUN"/*.pid; do
    [ -e "$file" ] && [ "$file" != "$RUN/demo.pid" ] || continue
    read -r pid started <"$file" || true
    if same_process "${pid:-}" "${started:-}"; then
      say "stopping $(basename "$file" .pid) (PID $pid) left over from an earlier run"
      stop_pid "$pid"
    fi
    rm -f "$file"
  done
  if [ -f "$RUN/snmp-copy" ]; then   # the /tmp copy of the SNMP data a hard-killed run left behind
    read -r file <"$RUN/snmp-copy" || true
    [[ ${file:-} == /tmp/hallmonitor-demo-snmp.* ]] && rm -rf "$file"
    rm -f "$RUN/snmp-copy"
  fi
  echo "$$ $(start_time $$)" >"$RUN/demo.pid"
  OWN_LOCK=1
}

# [RUN_AS=user:group] start NAME COMMAND...: in the background, in its own session (so Ctrl-C reaches only
# this script, which then stops everything in order), output to .demo/logs/NAME.log. setpriv makes the
# kernel send SIGTERM to the process if this script dies without cleaning up (kill -9), and switches user.
start() {
  local name=$1; shift
  local guard=()
  if [ "$HAVE_SETPRIV" -eq 1 ]; then
    guard=(setpriv --pdeathsig TERM)
    # as another user, keeping only the right to bind ports below 1024 (snmpsimd on 161)
    [ -z "${RUN_AS:-}" ] || guard+=(--reuid="${RUN_AS%:*}" --regid="${RUN_AS#*:}" --clear-groups
                                    --inh-caps=+net_bind_service --ambient-caps=+net_bind_service)
    guard+=(--)
  fi
  setsid "${guard[@]}" "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  local pid=$!
  NAMES+=("$name"); PIDS+=("$pid")
  echo "$pid $(start_time "$pid")" >"$RUN/$name.pid"
}

alive() { kill -0 "$1" 2>/dev/null; }

# SIGTERM, then SIGKILL after 15 s (the collector flushes to InfluxDB on the way out).
stop_pid() {
  local pid=$1 i
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 150; i++)); do alive "$pid" || return 0; sleep 0.1; done
  say "  PID $pid did not stop in 15 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

stop_all() {
  local status=$? i
  set +e             # stop everything even if printing fails (terminal gone)
  trap - EXIT
  trap '' INT TERM HUP   # finish stopping even if Ctrl-C is pressed again
  if [ "${#PIDS[@]}" -gt 0 ]; then
    step "stopping what the demo started"
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do   # agent first, InfluxDB last
      if alive "${PIDS[i]}"; then
        say "  ${NAMES[i]} (PID ${PIDS[i]})"
        stop_pid "${PIDS[i]}"
      fi
      wait "${PIDS[i]}" 2>/dev/null || true
      rm -f "$RUN/${NAMES[i]}.pid"
    done
  fi
  [ -z "$SNMP_TMP" ] || rm -rf "$SNMP_TMP" "$RUN/snmp-copy"
  [ "$OWN_LOCK" -eq 0 ] || rm -f "$RUN/demo.pid"
  if [ "${#PIDS[@]}" -gt 0 ]; then say "stopped; data and logs are kept in .demo/ (delete it to start from scratch)"; fi
  exit "$status"
}

on_signal() {
  printf '\n'
  if [ "$RUNNING" -eq 1 ]; then exit 0; else exit "$1"; fi
}

# wait_until WHAT SECONDS NAME COMMAND...: retry COMMAND until it succeeds, failing early if NAME died.
wait_until() {
  local what=$1 seconds=$2 name=$3; shift 3
  local deadline=$((SECONDS + seconds)) pid=${PIDS[${#PIDS[@]} - 1]}
  until "$@" >/dev/null 2>&1; do
    if ! alive "$pid"; then
      say "$name exited while waiting for $what; last lines of $LOGS/$name.log:"
      tail -n 20 "$LOGS/$name.log" >&2
      exit 1
    fi
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 20 "$LOGS/$name.log" >&2; die "gave up after ${seconds} s waiting for $what (log: $LOGS/$name.log)"; }
    sleep 0.3
  done
}

# --- the services

influx_answers() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$INFLUX_URL/ping")" = 204 ]; }

start_influxd() {
  step "starting InfluxDB on $INFLUX_URL (data in .demo/influxdb)"
  start influxd influxd run -config "$DEMO/influxdb/influxdb.conf"
  wait_until "InfluxDB at $INFLUX_URL/ping" 90 influxd influx_answers
}

# snmpsimd refuses to run as root, so as root it runs as nobody: started as nobody by setpriv (which keeps
# the parent-death signal; a switch by snmpsimd itself would clear it), else with --process-user. nobody
# must read the data and write the index cache; if a parent folder of the repository is private (e.g.
# /root), snmpsimd serves a copy from /tmp instead.
prepare_snmp_data() {
  SNMP_DATA=$DEMO/snmp/data
  SNMP_CACHE=$DEMO/snmp/cache
  SNMP_USER=() SNMP_RUN_AS=""
  [ "$(id -u)" -eq 0 ] || return 0
  if [ "$HAVE_SETPRIV" -eq 1 ]; then SNMP_RUN_AS=nobody:nogroup; else SNMP_USER=(--process-user=nobody --process-group=nogroup); fi
  chmod 755 "$DEMO" "$DEMO/snmp"
  chmod -R a+rX "$SNMP_DATA"
  chown -R nobody:nogroup "$SNMP_CACHE"
  if [ "$HAVE_SETPRIV" -eq 1 ] && ! setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
      test -r "$SNMP_DATA/public/1.3.6.1.6.1.1.0.snmprec" -a -w "$SNMP_CACHE"; then
    SNMP_TMP=$(mktemp -d /tmp/hallmonitor-demo-snmp.XXXXXX)
    echo "$SNMP_TMP" >"$RUN/snmp-copy"
    chmod 755 "$SNMP_TMP"
    cp -a "$SNMP_DATA" "$SNMP_TMP/data"
    mkdir "$SNMP_TMP/cache" && chown nobody:nogroup "$SNMP_TMP/cache"
    SNMP_DATA=$SNMP_TMP/data SNMP_CACHE=$SNMP_TMP/cache
    say "note: user nobody cannot read $DEMO, so snmpsimd serves a copy from $SNMP_TMP (removed at the end)"
  fi
}

snmp_answers() { snmpget -v2c -c public -t 1 -r 0 "$1" 1.3.6.1.2.1.1.3.0; }

start_snmpsimd() {
  local endpoints=() e
  for e in $SNMP_ENDPOINTS; do endpoints+=("--agent-udpv4-endpoint=$e"); done
  step "starting snmpsimd: ${#endpoints[@]} simulated SNMP devices on 127.0.1.11-$((10 + ${#endpoints[@]})) port $SNMP_PORT, community public"
  prepare_snmp_data
  # --v2c-arch: the k-th endpoint answers community "public" from data/public/1.3.6.1.6.1.1.<k>.snmprec.
  # --logging-method=null: it would log every request (~100 kB/s); fatal errors still reach its log.
  RUN_AS=$SNMP_RUN_AS start snmpsimd snmpsimd --v2c-arch --data-dir="$SNMP_DATA" --cache-dir="$SNMP_CACHE" --logging-method=null \
    "${SNMP_USER[@]}" "${endpoints[@]}"
  for e in $SNMP_ENDPOINTS; do   # the first request to a device builds its index: do it now
    wait_until "the SNMP device at $e" 60 snmpsimd snmp_answers "$e"
  done
}

add_agent() {
  step "creating credentials for agent $AGENT (.demo/agent/agent.yaml)"
  local yaml=$DEMO/agent/agent.yaml
  (
    umask 077
    node bin/hallmonitor-collector.js agent add --site "$SITE" -c "$DEMO/collector/collector.yaml" \
      --broker-url "mqtt://127.0.0.1:$BROKER_PORT" >"$yaml.new"
    printf 'dataDir: data   # relative to this file: .demo/agent/data\n' >>"$yaml.new"
  )
  mv "$yaml.new" "$yaml"
}

broker_listens() { (: <>"/dev/tcp/127.0.0.1/$BROKER_PORT") 2>/dev/null; }

start_collector() {
  step "starting the collector (MQTT broker on 127.0.0.1:$BROKER_PORT, writing to InfluxDB)"
  start collector node bin/hallmonitor-collector.js run -c "$DEMO/collector/collector.yaml"
  wait_until "the collector's broker on port $BROKER_PORT" 60 collector broker_listens
}

start_agent() {
  step "starting the agent for $SITE"
  AGENT_STARTED_MS=$(date +%s%3N)
  start agent node bin/hallmonitor-agent.js run -c "$DEMO/agent/agent.yaml"
  wait_until "the agent to report itself online" 60 agent \
    helper wait-agent --influx "$INFLUX_URL" --since "$AGENT_STARTED_MS" --timeout 2
}

print_guide() {
  local q="curl -G $INFLUX_URL/query --data-urlencode db=$DATABASE --data-urlencode pretty=true --data-urlencode"
  cat <<EOF

==========================================================================================================
hallmonitor demo is running: school "$SITE", $DEVICE_COUNT devices, agent $AGENT.
  InfluxDB      $INFLUX_URL  database "$DATABASE"  (data in .demo/influxdb)
  collector     MQTT broker 127.0.0.1:$BROKER_PORT  config .demo/collector/collector.yaml
  school        .demo/collector/sites/$SITE.yaml   (the device list the collector pushes to the agent)
  agent         .demo/agent/agent.yaml
  SNMP devices  127.0.1.11-$((10 + $(wc -w <<<"$SNMP_ENDPOINTS"))) port $SNMP_PORT, community public
  logs          .demo/logs/{influxd,snmpsimd,collector,agent}.log   e.g.  tail -f .demo/logs/agent.log

Look at the data from another terminal:
  $q "q=SELECT last(up) AS up, last(rtt_avg_ms) AS rtt_ms FROM ping GROUP BY device"
  $q "q=SELECT last(sys_descr) AS descr, last(interfaces) AS interfaces FROM snmp GROUP BY device"
  $q "q=SELECT last(in_bps) AS in_bps, last(out_bps) AS out_bps FROM interface WHERE device='core-switch' AND oper_status=1 GROUP BY interface"
Ask a simulated device yourself (the core switch's system group):
  snmpwalk -v2c -c public $CORE_SWITCH_SNMP 1.3.6.1.2.1.1
Stop with Ctrl-C: the demo stops what it started and keeps .demo/ for the next run.
==========================================================================================================
EOF
}

summary() { helper summary --influx "$INFLUX_URL" --since "$AGENT_STARTED_MS" --site-file "$DEMO/collector/sites/$SITE.yaml"; }

# Foreground until a signal (or --stop-after); a service that dies ends the demo with its log.
supervise() {
  local up_at=$SECONDS printed=0 i first=$SUMMARY_AFTER
  [ -z "$STOP_AFTER" ] || [ "$STOP_AFTER" -ge "$first" ] || first=$STOP_AFTER
  say "waiting ${first} s for the first polls, then showing what arrived in InfluxDB..."
  while :; do
    for ((i = 0; i < ${#PIDS[@]}; i++)); do
      if ! alive "${PIDS[i]}"; then
        say "${NAMES[i]} (PID ${PIDS[i]}) exited unexpectedly; last lines of .demo/logs/${NAMES[i]}.log:"
        tail -n 20 "$LOGS/${NAMES[i]}.log"
        exit 1
      fi
    done
    local elapsed=$((SECONDS - up_at))
    if [ -n "$STOP_AFTER" ] && [ "$elapsed" -ge "$STOP_AFTER" ]; then
      if summary; then say "--stop-after $STOP_AFTER: data arrived; stopping"; exit 0; fi
      say "--stop-after $STOP_AFTER: not every device's data arrived (see .demo/logs/)"
      exit 1
    fi
    # the first look after 15 s (unless --stop-after ends the run with its own summary soon after)
    if [ "$printed" -eq 0 ] && [ "$elapsed" -ge "$SUMMARY_AFTER" ] && [ "${STOP_AFTER:-999999}" -ge $((SUMMARY_AFTER + 10)) ]; then
      summary || true
      printed=1
      [ -n "$STOP_AFTER" ] || say "(running; Ctrl-C to stop)"
    fi
    sleep 1
  done
}

main() {
  parse_args "$@"
  install_deps
  trap stop_all EXIT
  trap 'on_signal 130' INT
  trap 'on_signal 143' TERM
  trap 'on_signal 129' HUP   # terminal closed
  check_previous_run
  mkdir -p "$LOGS"

  step "writing configs and SNMP data under .demo/"
  local vars
  vars=$(helper setup --dir "$DEMO")
  eval "$vars"

  add_agent
  start_influxd
  start_snmpsimd
  start_collector
  start_agent
  RUNNING=1
  print_guide
  supervise
}

main "$@"
