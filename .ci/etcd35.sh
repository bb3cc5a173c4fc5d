#!/usr/bin/env bash
# Source me: fetches Debian 13 (trixie)'s etcd 3.5 packages without touching the
# system's apt sources or installing them, unpacks them into a cache dir and exports
# QUORUM_TEST_ETCD35_BIN (the dir holding etcd, etcdctl, etcdutl) for the test matrix.
# The suite uses the same archive as /etc/apt/sources.list.d/debian.sources.
_cache="${QUORUM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/quorum}"
_etcd_root="$_cache/etcd-3.5"
if [ ! -x "$_etcd_root/usr/bin/etcdutl" ] || [ ! -x "$_etcd_root/usr/bin/etcd" ]; then
  echo "ci: fetching etcd 3.5 (Debian trixie's etcd-server, etcd-client) into $_etcd_root"
  _apt="$(mktemp -d)"
  _uri="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)"
  [ -n "$_uri" ] || _uri="$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null)"
  mkdir -p "$_apt/parts" "$_apt/lists/partial" "$_apt/cache/archives/partial"
  cat >"$_apt/parts/trixie.sources" <<SRC
Types: deb
URIs: $_uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  _opts=(-o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$_apt/parts"
    -o "Dir::State::Lists=$_apt/lists" -o "Dir::Cache=$_apt/cache" -o APT::Sandbox::User=root)
  apt-get "${_opts[@]}" update -qq
  (cd "$_apt" && apt-get "${_opts[@]}" download etcd-server etcd-client >/dev/null)
  rm -rf "$_etcd_root" && mkdir -p "$_etcd_root"
  for deb in "$_apt"/*.deb; do dpkg-deb -x "$deb" "$_etcd_root"; done
  rm -rf "$_apt"
fi
export QUORUM_TEST_ETCD35_BIN="$_etcd_root/usr/bin"
case "$("$QUORUM_TEST_ETCD35_BIN/etcd" --version | head -1)" in
  *3.5.*) ;;
  *) echo "ci: $QUORUM_TEST_ETCD35_BIN/etcd is not etcd 3.5" >&2; return 1 2>/dev/null || exit 1 ;;
esac
