# syntax=docker/dockerfile:1
#
# One image for every app (and the one-shot setup). The app that runs is chosen with APP
# (a directory name under apps/); the apps run from source through @swc-node/register.
#
#   docker build -t omnichannel-profiles:local .
#   docker run -e APP=device-service -e PORT=3101 … omnichannel-profiles:local

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# Owned by root and read-only for the runtime user: the apps never write under /app.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.base.json tsconfig.json nx.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts ./scripts
USER node

ARG APP=gateway
ENV APP=${APP}

HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT)+'/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]

CMD ["sh", "-c", "exec node --max-old-space-size=512 -r @swc-node/register apps/${APP}/src/main.ts"]
