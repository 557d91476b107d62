/**
 * A small closed-loop load generator on `node:http`: `concurrency` requests always in
 * flight over a keep-alive Agent, each request's time to first byte (until the response
 * headers arrive) recorded, every body read to the end before the next request.
 */
import { Agent, request } from 'node:http';

export interface LoadRun {
  path: string;
  requests: number;
  /** Time to first byte of each request, ms. */
  ttfb: number[];
  /** Wall time of the whole run, ms. */
  ms: number;
  /** Body bytes of the first response (all are expected to be the same size). */
  bytes: number;
  /** Responses that were not 200. */
  failed: number;
  statuses: Record<number, number>;
}

/** Send `total` GETs of `path` to `base`, `concurrency` at a time, over `agent`. */
export async function load(agent: Agent, base: string, path: string, total: number, concurrency: number): Promise<LoadRun> {
  const url = new URL(path, base);
  const ttfb: number[] = [];
  const statuses: Record<number, number> = {};
  let sent = 0;
  let bytes = -1;
  let failed = 0;

  const one = () =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'GET' }, (res) => {
        ttfb.push(performance.now() - t0);
        const status = res.statusCode ?? 0;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== 200) failed++;
        let n = 0;
        res.on('data', (chunk: Buffer) => (n += chunk.length));
        res.on('end', () => {
          if (bytes < 0 && status === 200) bytes = n;
          resolve();
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });

  const worker = async () => {
    while (sent < total) {
      sent++;
      await one();
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { path, requests: total, ttfb, ms: performance.now() - t0, bytes, failed, statuses };
}

/** A keep-alive Agent for `sockets` concurrent connections. */
export function keepAlive(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}
