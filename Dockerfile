# syntax=docker/dockerfile:1

# Targets:
#   runtime (the default, last in this file)  docker build -t helpdesk-sync .
#       the service and its CLI; no vendor sandboxes, no demo
#   demo                                      docker build --target demo -t helpdesk-sync:demo .
#       the same plus the sandboxes and the demo; it runs `demo --once`
#
# The base image: an exact Node release on Debian bookworm, the same for every stage.
# TODO pin the digest too. It is not filled in because Docker Hub could not be reached where
# this file was last changed, and a digest is never written from memory or copied unchecked.
# On a machine with Docker:
#   docker pull node:22.23.3-bookworm-slim
#   docker inspect --format '{{index .RepoDigests 0}}' node:22.23.3-bookworm-slim
# then set the default below to node:22.23.3-bookworm-slim@sha256:<that digest> (or pass it with
# --build-arg NODE_IMAGE=...). Upgrading Node means changing the version and the digest together.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

# Dependencies and sources: every package (tsc is a dev dependency) and the toolchain that
# better-sqlite3 builds from source with when no prebuilt binary matches (or none can be
# downloaded); node-gyp then takes Node's headers from the image (/usr/local/include/node)
# instead of downloading them.
FROM ${NODE_IMAGE} AS deps
ENV npm_config_nodedir=/usr/local
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.demo.json ./
COPY src ./src
COPY config ./config

# The production build (tsconfig.build.json leaves src/sandbox out), then no dev dependencies.
FROM deps AS build
RUN npm run build && npm prune --omit=dev

# The demo build: the production build plus the sandboxes and the demo (tsconfig.demo.json).
FROM deps AS build-demo
RUN npm run build:demo && npm prune --omit=dev

# What both images share. tini is PID 1: it forwards SIGTERM/SIGINT to node and reaps zombies,
# so `docker stop` and Ctrl-C stop every command (not only `serve`, which handles SIGTERM
# itself) without `docker run --init`, which Kubernetes and most orchestrators do not offer.
# -s keeps tini quiet and reaping when something else is PID 1 (docker run --init).
FROM ${NODE_IMAGE} AS base
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
ENTRYPOINT ["/usr/bin/tini", "-s", "--", "node", "dist/cli/main.js"]

# The demo: sandboxes and helpdesk-sync on the container's loopback, a throwaway SQLite store.
FROM base AS demo
COPY --from=build-demo /app/package.json ./package.json
COPY --from=build-demo /app/node_modules ./node_modules
COPY --from=build-demo /app/dist ./dist
COPY --from=build-demo /app/config ./config
USER node
HEALTHCHECK NONE
CMD ["demo", "--once"]

# The production image: compiled code and production dependencies only, as the unprivileged
# node user (uid 1000).
FROM base AS runtime
ENV PORT=3000 \
    DATABASE_URL=/data/helpdesk-sync.db
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
RUN mkdir -p /data && chown node:node /data
USER node
# The embedded SQLite store (inbox, links, audit trail) lives here: keep it on a volume.
VOLUME ["/data"]
EXPOSE 3000
# Readiness, not only liveness: /readyz answers 503 when the store cannot take a write or its
# migrations are not applied. It asks PORT, so change the port with PORT, not `serve --port`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["serve"]
