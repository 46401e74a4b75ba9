# syntax=docker/dockerfile:1
# One image, three roles: docker-compose.yml runs it as `api`, `projector` and `worker` (and a
# one-shot `migrate`), choosing the role by command.
#
# Node 22 (LTS): Node 20 is past its end of life; package.json asks for >= 20.11.
FROM node:22-bookworm-slim

# ffmpeg: the transcoding saga's activities probe and encode video with it.
# tini: PID 1 that forwards SIGTERM, so `docker compose stop` lets the roles shut down cleanly.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends ffmpeg tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
# With dev dependencies on purpose: bin/chronicle.mjs runs the TypeScript sources through tsx,
# which is a devDependency, and there is no build step yet. Once the app is compiled to JS (or
# tsx moves to dependencies), this becomes `npm ci --omit=dev`.
RUN npm ci --include=dev && npm cache clean --force

COPY . .

# Set after `npm ci`: with NODE_ENV=production npm would leave the dev dependencies out.
ENV NODE_ENV=production \
    PORT=4000 \
    DATA_DIR=/app/.data
# The media volume takes this directory's owner when docker compose first creates it.
RUN mkdir -p /app/.data /var/lib/chronicle/media \
 && chown node:node /app/.data /var/lib/chronicle/media
USER node

EXPOSE 4000
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/chronicle.mjs"]
CMD ["api"]
