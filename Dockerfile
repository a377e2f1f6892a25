FROM node:20-bookworm-slim
WORKDIR /app
# ffmpeg repackages live streams to HLS (Debian's, with libx264 and aac).
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
# Fonts: none. Browsers draw the interface (Chinese included) with their own fonts, and nothing on
# the server renders text. A server-side renderer of Chinese text would add fonts-noto-cjk above.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build-web.mjs || true
# The server compiled to JavaScript once (build/server), so no process compiles TypeScript at start.
RUN node scripts/build-server.mjs --force
ENV DATA_DIR=/data PORT=8080
EXPOSE 8080
CMD ["node", "--enable-source-maps", "build/server/main.js"]
