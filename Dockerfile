FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build-web.mjs || true
ENV DATA_DIR=/data PORT=8080
EXPOSE 8080
CMD ["node", "--import", "tsx", "signaling/main.ts"]
