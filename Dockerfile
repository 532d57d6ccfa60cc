# Revenue Engine: one image for the API (default) and the worker (`node dist/apps/worker/src/main.js`).
# NOT EXERCISED on this project's machines (no Docker engine there): see README "Docker".
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/migrations ./migrations
USER node
EXPOSE 3000
# exec form: the process gets SIGTERM from `docker stop` directly and drains before exiting.
CMD ["node", "dist/apps/api/src/main.js"]
