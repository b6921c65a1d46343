#!/bin/sh
# TLS for the agents' MQTT in the collector container: `tls-init.sh <state dir> <config dir>`.
# - The provider's own certificate, <config dir>/tls/collector.pem and collector.key (PEM), is copied into
#   <state dir>/tls at every start, so a renewed one is taken up by a restart.
# - Otherwise, on the first start only, a private CA and a server certificate for $HM_TLS_NAME (the DNS name
#   or address the schools' agents use to reach this host) are made there, as the native installer does
#   (deploy/install/install-collector.sh). Agents pin <state dir>/tls/ca.pem (agent add --ca).
# Keys are 0600, owned by the container's user. A missing name is a user mistake: one line, exit 2.
set -eu

state=${1:?usage: tls-init.sh <state dir> <config dir>}
config=${2:?usage: tls-init.sh <state dir> <config dir>}
tls=$state/tls
umask 077
mkdir -p "$tls"

if [ -f "$config/tls/collector.pem" ] && [ -f "$config/tls/collector.key" ]; then
  cp "$config/tls/collector.pem" "$tls/collector.pem"
  cp "$config/tls/collector.key" "$tls/collector.key"
  chmod 0600 "$tls/collector.pem" "$tls/collector.key"
  echo "tls-init: using the provider's certificate from $config/tls"
  exit 0
fi
if [ -f "$tls/collector.pem" ] && [ -f "$tls/collector.key" ]; then
  exit 0
fi

name=${HM_TLS_NAME:-}
if [ -z "$name" ]; then
  echo "tls-init: HM_TLS_NAME is not set: give the name agents use to reach this host (e.g. HM_TLS_NAME=mqtt.example.org in .env), or put collector.pem and collector.key in $config/tls" >&2
  exit 2
fi
# An address goes in as an IP name (RFC 5280 §4.2.1.6), anything else as a DNS name.
case $name in
  *:*) san="IP:$name" ;;
  *[!0-9.]*) san="DNS:$name" ;;
  *) san="IP:$name" ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem \
    -days 3650 -subj "/CN=hallmonitor CA $name" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout collector.key -out collector.csr \
    -subj "/CN=$name" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" >collector.ext
  openssl x509 -req -in collector.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out collector.pem \
    -days 3650 -extfile collector.ext 2>/dev/null
)
# The CA key signs nothing else; the agents get ca.pem. Files move in last, the certificate last of all, so
# an interrupted first start makes them afresh next time.
mv "$work/ca.key" "$tls/ca.key"
mv "$work/collector.key" "$tls/collector.key"
cp "$work/ca.pem" "$tls/ca.pem"
chmod 0644 "$tls/ca.pem"
mv "$work/collector.pem" "$tls/collector.pem"
echo "tls-init: made a private CA and a certificate for $name ($san) in $tls; agents pin $tls/ca.pem"
