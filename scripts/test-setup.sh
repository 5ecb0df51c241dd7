#!/usr/bin/env bash
# Installs the system packages the test suite needs and this machine lacks (Debian; as root):
# PostgreSQL 15 for the probe tests, repmgr/pgpool-II/barman for the HA lab, sshd for the SSH
# transport tests, util-linux `script` and tmux for the terminal tests, pgrep, and Python's
# prometheus_client as the strict OpenMetrics parser.
# The PostgreSQL 17 binaries come from npm (npm install); nothing here starts a server.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=()
dpkg -s postgresql-15 >/dev/null 2>&1 || need+=(postgresql-15)
# the HA lab (test/lab): repmgr 5.3.3, pgpool-II 4.3.5, barman 3.4.0
for pkg in postgresql-15-repmgr pgpool2 barman barman-cli; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v script >/dev/null 2>&1 || need+=(bsdutils)
command -v pgrep >/dev/null 2>&1 || need+=(procps)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
# the strict OpenMetrics parser the exporter's output is checked with (test/helpers/openmetrics_parse.py)
dpkg -s python3-prometheus-client >/dev/null 2>&1 || need+=(python3-prometheus-client)
if ((${#need[@]} == 0)); then
  echo "test-setup: everything the tests need is installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "test-setup: missing ${need[*]}; run as root (sudo npm run test:setup) or install them with apt-get" >&2
  exit 1
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
