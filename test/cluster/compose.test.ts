import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

/**
 * docker-compose.yml (S22) cannot be brought up here (no Docker engine), so its structure is checked
 * (and `docker compose config` / `docker-compose config` validates it where one is installed); the
 * same topology runs as plain processes in topology.test.ts.
 */
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const text = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, any>; volumes: Record<string, unknown> };

const envOf = (service: any): Record<string, string> => service.environment ?? {};

test('docker-compose.yml: database, broker, two app nodes and a load balancer, each with a health check', () => {
  const { services } = compose;
  assert.deepEqual(Object.keys(services).sort(), ['app1', 'app2', 'lb', 'mongo', 'redis']);
  for (const [name, service] of Object.entries(services)) assert.ok(service.healthcheck?.test, `${name} has a health check`);
  assert.ok(services.mongo.command.includes('--replSet'), 'MongoDB runs as a replica set');
  assert.ok(services.mongo.volumes.some((v: string) => v.startsWith('mongo-data:')));
  assert.match(services.redis.image, /^redis:/);
  for (const app of ['app1', 'app2']) {
    const env = envOf(services[app]);
    assert.match(env.MONGO_URL, /^mongodb:\/\/mongo:27017\/.*replicaSet=rs0/);
    assert.equal(env.REDIS_URL, 'redis://redis:6379');
    assert.ok(env.ANNOUNCED_IP, `${app} announces an address for WebRTC`);
    assert.ok(env.RTC_PORT);
    assert.deepEqual(services[app].depends_on, { mongo: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    assert.ok(services[app].volumes.some((v: string) => v.startsWith('app-data:/data')), 'files volume');
    assert.ok(services[app].volumes.some((v: string) => v.startsWith('hls-data:')), 'HLS volume');
    assert.equal(services[app].ports.some((p: string) => /^8080/.test(p)), false, 'apps are reached through the load balancer');
  }
  assert.deepEqual(services.lb.depends_on, { app1: { condition: 'service_healthy' }, app2: { condition: 'service_healthy' } });
  assert.ok(services.lb.ports.includes('8080:80'));
  assert.deepEqual(Object.keys(compose.volumes).sort(), ['app-data', 'hls-data', 'mongo-data']);
});

test('docker-compose.yml: each node publishes its own WebRTC port range (UDP and TCP)', () => {
  const ranges = ['app1', 'app2'].map((app) => {
    const service = compose.services[app];
    const ports: string[] = service.ports;
    const rtc = Number(envOf(service).RTC_PORT);
    const workers = Number(envOf(service).WORKERS) * Number(envOf(service).MEDIA_WORKERS);
    const range = `${rtc}-${rtc + workers - 1}:${rtc}-${rtc + workers - 1}`;
    assert.ok(ports.includes(`${range}/udp`) && ports.includes(`${range}/tcp`), `${app} publishes ${range}`);
    return [rtc, rtc + workers - 1];
  });
  assert.ok(ranges[0][1] < ranges[1][0], 'the ranges do not overlap');
});

test('the nginx load balancer upgrades websockets and keeps long-polling sticky', () => {
  const volume = compose.services.lb.volumes.find((v: string) => v.includes('nginx.conf'));
  const conf = readFileSync(path.join(root, volume.split(':')[0]), 'utf8');
  assert.match(conf, /ip_hash;/);
  assert.match(conf, /server app1:8080/);
  assert.match(conf, /server app2:8080/);
  assert.match(conf, /proxy_set_header Upgrade \$http_upgrade;/);
  assert.match(conf, /proxy_set_header Connection \$connection_upgrade;/);
  assert.match(conf, /proxy_http_version 1\.1;/);
});

test('the app image carries ffmpeg for live streams and keeps their HLS on the shared volume', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /apt-get install[^\n]*\bffmpeg\b/);
  for (const app of ['app1', 'app2']) {
    const service = compose.services[app];
    assert.ok(service.volumes.includes(`hls-data:${envOf(service).DATA_DIR}/hls`), `${app}: HLS at DATA_DIR/hls`);
  }
});

test('docker compose config validates the file (where a compose tool is installed)', (t) => {
  const candidates: [string, string[]][] = [
    ['docker', ['compose', 'config', '-q']],
    ['docker-compose', ['config', '-q']],
  ];
  for (const [cmd, args] of candidates) {
    const res = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
    if (res.error || (cmd === 'docker' && /not a docker command|unknown/i.test(res.stderr))) continue;
    assert.equal(res.status, 0, `${cmd} ${args.join(' ')}: ${res.stderr}`);
    t.diagnostic(`validated with ${cmd} ${args.join(' ')}`);
    return;
  }
  t.skip('no docker compose / docker-compose installed (apt: docker-compose); the structure is checked above');
});
