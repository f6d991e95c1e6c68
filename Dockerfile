# syntax=docker/dockerfile:1
# One image for the API, the worker and the SALTO KS simulator; docker-compose.yml picks the
# command. Build: compile TypeScript with every dependency and bundle the workflow code once;
# runtime: production dependencies and dist/ only, run as the unprivileged `node` user.
# Node 24 is a supported LTS line (to April 2028); the code needs Node 20.3 or later.

FROM node:24-bookworm-slim AS base
WORKDIR /app

# Production dependencies in their own stage, so they are cached until package-lock.json changes.
# Nothing is built here: Temporal's native core bridge ships prebuilt for linux-gnu in its package.
FROM base AS production-dependencies
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
# Tests stay out of the image (see .dockerignore): only src/ is compiled. The set-up page's
# assets are files tsc does not emit; the directory is made so that copying it never fails.
COPY src ./src
RUN npx tsc -p tsconfig.json && mkdir -p src/api/page/assets
# Workers load this file (WORKFLOW_BUNDLE_PATH below) instead of running webpack at every start.
RUN node dist/src/build-workflow-bundle.js dist/workflow-bundle.js

FROM base AS runtime
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    WORKER_HEALTH_PORT=8081
COPY package.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/src/api/page/assets ./src/api/page/assets
# Writable state lives here (the encrypted SALTO KS connection, the simulator's state file); a
# named volume mounted on it inherits this ownership. The code stays root-owned and read-only.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000 8081 8090
# The API's /healthz by default (docker-compose.yml sets the worker's and the simulator's own).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "dist/src/healthcheck.js"]
CMD ["node", "dist/src/api-main.js"]
