# One image for every ironlb command (controller now; agent later).
# Build: docker build -t ironlb .    Run: docker run ironlb controller --help
FROM node:20-bookworm-slim AS build
WORKDIR /src
# python3/make/g++ build native addons (the agent's packet I/O); nodedir points node-gyp at the
# headers shipped with this Node.js, so the build needs no download.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# nftables and iproute2 are used by the agent's data plane; the controller does not need them.
RUN apt-get update && apt-get install -y --no-install-recommends nftables iproute2 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY daemonset/crds ./crds
# The controller runs as an unprivileged user; the agent DaemonSet overrides this (it needs
# NET_ADMIN/NET_RAW on the host network).
USER 65532:65532
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["--help"]
