#!/usr/bin/env bash
# System packages the test suite needs. Run as root (CI and dev machines are root).
set -euo pipefail
if ! command -v kubectl >/dev/null 2>&1; then
  echo "error: kubectl is required (kubectl kustomize validates generated manifests) but is not installed" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends make >/dev/null
# rabbitmq-server: the rabbitmq target's definitions are loaded into a real broker
apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
# protobuf-compiler: protoc compiles the generated .proto contracts
apt-get install -y -qq --no-install-recommends protobuf-compiler >/dev/null
# promtool and amtool: emit observability's rule, rule-test and Alertmanager checks
apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
# etcd-server: `publish etcd` is tested against a real etcd
apt-get install -y -qq --no-install-recommends etcd-server etcd-client >/dev/null
# graphviz: the report's and `diagram`'s layouts; chromium: the report is tested in a real browser
apt-get install -y -qq --no-install-recommends graphviz chromium fonts-dejavu-core >/dev/null
