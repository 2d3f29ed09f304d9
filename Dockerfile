# syntax=docker/dockerfile:1
# Patchbay hub image. Build: docker build -t patchbay . ; run: docker run -p 8470:8470 patchbay
# scripts/docker-smoke.sh runs these same build and start steps without Docker (docs/operate.md).

# --- build: every dependency, compile TypeScript, pre-parse the built-in catalog
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/sdk/package.json packages/sdk/
COPY packages/connect/package.json packages/connect/
COPY packages/hub/package.json packages/hub/
COPY packages/hub/bin packages/hub/bin
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY packages packages
RUN npm run build

# --- runtime: production dependencies only, compiled output, non-root
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PATCHBAY_HOST=0.0.0.0 \
    PATCHBAY_PORT=8470 \
    PATCHBAY_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/sdk/package.json packages/sdk/
COPY packages/connect/package.json packages/connect/
COPY packages/hub/package.json packages/hub/
COPY packages/hub/bin packages/hub/bin
# better-sqlite3 falls back to compiling when no prebuilt binary matches: the toolchain is
# installed and removed in the same layer, so it never stays in the image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && apt-get purge -y python3 make g++ && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/packages/core/dist packages/core/dist
COPY --from=build /app/packages/sdk/dist packages/sdk/dist
COPY --from=build /app/packages/hub/dist packages/hub/dist
COPY --from=build /app/packages/hub/catalog packages/hub/catalog
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8470
# /ready checks the database (503 while it is unreachable or migrations run); /health is liveness only.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PATCHBAY_PORT||8470)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "packages/hub/dist/cli/main.js", "serve"]
