#!/bin/sh
# The collector container's entrypoint: TLS for the agents first (tls-init.sh), then the collector CLI with
# the container's arguments (default: run -c /etc/hallmonitor/collector.yaml).
set -eu
sh /opt/hallmonitor/deploy/docker/tls-init.sh /var/lib/hallmonitor-collector /etc/hallmonitor
exec node /opt/hallmonitor/bin/hallmonitor-collector.js "$@"
