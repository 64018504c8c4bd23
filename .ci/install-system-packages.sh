#!/usr/bin/env bash
# System packages the test suite needs. Run as root (CI and dev machines are root).
# Only what is missing is installed, in one apt-get call; when everything is there (a
# machine that ran this before) nothing is fetched: no `apt-get update` either.
set -euo pipefail
if ! command -v kubectl >/dev/null 2>&1; then
  echo "error: kubectl is required (kubectl kustomize validates generated manifests) but is not installed" >&2
  exit 1
fi
PACKAGES=(
  make
  # the rabbitmq target's definitions are loaded into a real broker
  rabbitmq-server
  # protoc compiles the generated .proto contracts
  protobuf-compiler
  # promtool and amtool: emit observability's rule, rule-test and Alertmanager checks
  prometheus prometheus-alertmanager
  # `publish etcd` is tested against a real etcd (etcdctl reads the keys back)
  etcd-server etcd-client
  # graphviz: the report's and `diagram`'s layouts; chromium: the report is tested in a real browser
  graphviz chromium fonts-dejavu-core
)
missing=()
for pkg in "${PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all ${#PACKAGES[@]} installed"
  exit 0
fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
