# syntax=docker/dockerfile:1
#
# Quorum's production image: compiled JavaScript, the built-in runbooks and production
# dependencies only, running as the numeric non-root user 10001, fine with a read-only
# root filesystem (it writes only to /tmp and to the snapshot volume).
#
#   docker build -t registry.example.com/quorum:0.1.0 .
#   docker run --read-only --tmpfs /tmp -v quorum-snapshots:/var/lib/quorum/snapshots \
#     -e SLACK_BOT_TOKEN=… -e SLACK_SIGNING_SECRET=… -e REDIS_URL=… registry.example.com/quorum:0.1.0
#
# Base: Node.js 24 LTS on Debian 12 (bookworm), slim. To pin the exact image bytes too,
# append its digest to both FROM lines (`docker buildx imagetools inspect
# node:24.22.3-bookworm-slim` prints it), e.g. node:24.22.3-bookworm-slim@sha256:<digest>,
# and let your dependency bot keep tag and digest current.

# ---- build: install everything from the lock file, compile TypeScript ----
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here; we build below.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json
# The built-in runbooks, read at start from runbooks/ beside package.json.
COPY runbooks ./runbooks

# ---- deps: production dependencies only, from the same lock file ----
FROM node:24.22.3-bookworm-slim AS deps
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# ---- etcd: etcd 3.5 (etcd, etcdctl, etcdutl) for restore drills, from Debian 13 (trixie)'s
# packages, unpacked (not installed: only the static Go binaries are kept). Bookworm's
# archive keyring already holds trixie's signing key.
FROM node:24.22.3-bookworm-slim AS etcd
RUN printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      > /etc/apt/sources.list.d/trixie.sources \
 && apt-get -o APT::Sandbox::User=root update -qq \
 && cd /tmp && apt-get -o APT::Sandbox::User=root download etcd-server etcd-client \
 && mkdir -p /opt/etcd \
 && for deb in /tmp/*.deb; do dpkg-deb -x "$deb" /opt/etcd; done \
 && /opt/etcd/usr/bin/etcd --version | grep -q 'etcd Version: 3\.5\.' \
 && /opt/etcd/usr/bin/etcdutl version

# ---- runtime ----
FROM node:24.22.3-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="quorum" \
      org.opencontainers.image.description="Slack chat-ops for self-managed Kubernetes: etcd health, verified snapshots, four-eyes maintenance" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    HOME=/tmp \
    PORT=3000 \
    HOST=0.0.0.0 \
    QUORUM_SNAPSHOT_DIR=/var/lib/quorum/snapshots
# A user of its own (not the image's `node`), and the snapshot directory it owns (0700,
# as Quorum creates it). npm, npx and corepack are not needed at run time: removed.
RUN groupadd --system --gid 10001 quorum \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin quorum \
 && mkdir -p /var/lib/quorum/snapshots \
 && chown -R 10001:10001 /var/lib/quorum \
 && chmod 0700 /var/lib/quorum/snapshots \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
WORKDIR /app
COPY --from=deps --chown=0:0 /app/node_modules ./node_modules
COPY --from=build --chown=0:0 /app/package.json ./package.json
COPY --from=build --chown=0:0 /app/dist/src ./dist/src
COPY --from=build --chown=0:0 /app/runbooks ./runbooks
# Restore drills (`quorum etcd drill`, the etcd.drill job) run these; PATH finds them.
COPY --from=etcd --chown=0:0 /opt/etcd/usr/bin/etcd /opt/etcd/usr/bin/etcdctl /opt/etcd/usr/bin/etcdutl /usr/local/bin/
USER 10001:10001
VOLUME ["/var/lib/quorum/snapshots"]
EXPOSE 3000
# Liveness only (/healthz does not fail when Redis is down); no curl in slim: Node's fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The node flags of dist/src/main.js's shebang (a packaging test keeps them equal).
ENTRYPOINT ["node", "--max-semi-space-size=4", "dist/src/main.js"]
CMD ["start"]
