# syntax=docker/dockerfile:1
#
# One image for every app (and the one-shot setup): the apps compiled to JavaScript, production
# dependencies only, no tests, no compiler. The app that runs is chosen with APP (a directory name
# under apps/).
#
#   docker build -t omnichannel-profiles:local .
#   docker run -e APP=device-service -e PORT=3101 … omnichannel-profiles:local

# Build: every dependency (the compiler, Nx), the kafkajs patch applied by postinstall, then the
# apps and the setup scripts compiled into dist/, then the dev dependencies pruned away.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY nx.json tsconfig.base.json tsconfig.json .swcrc.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts ./scripts
RUN NX_DAEMON=false npx nx run-many -t build --projects=tag:type:app --output-style=static \
 && npx swc scripts/db-migrate.ts scripts/kafka-topics.ts scripts/lib -d dist --config-file .swcrc.build.json --ignore '**/*.spec.ts' \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    LOG_FORMAT=json \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# Owned by root and read-only for the runtime user: the apps never write under /app.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node

ARG APP=gateway
ENV APP=${APP}

HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT)+'/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]

CMD ["sh", "-c", "exec node --max-old-space-size=512 --max-semi-space-size=8 --enable-source-maps dist/apps/${APP}/src/main.js"]
