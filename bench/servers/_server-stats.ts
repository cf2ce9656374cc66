/**
 * Child-process side of `startServer` (bench/lib/load.ts): `reportListening` tells the parent the
 * port, answers its `stats` and stops on `stop`. The stats part counts the HTTP requests `server`
 * received and reports them with the process's CPU time (all threads, user + system), so a benchmark can give
 * the CPU cost of one request on each side. The same listener is added to every server measured,
 * ours and the peers', so the counting costs both the same.
 */
import type { Server } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

function serveStats(server: Server): void {
  let requests = 0;
  server.on('request', () => {
    requests++;
  });
  // Event-loop delay since the previous report (the histogram restarts at each one).
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.on('message', (message) => {
    if (message !== 'stats') return;
    const cpu = process.cpuUsage();
    const loopP99Ms = loop.percentile(99) / 1e6;
    loop.reset();
    process.send?.({
      stats: { api: requests, cpuUs: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss(), loopP99Ms },
    });
  });
}

/**
 * Called once `server` listens: adds the request counting of {@link serveStats}, reports the port
 * over IPC and runs `stop` (then exits) when the parent sends `stop`.
 */
export function reportListening(server: Server, stop: () => Promise<void>): void {
  serveStats(server);
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
  process.on('message', async (message) => {
    if (message !== 'stop') return;
    await stop();
    process.exit(0);
  });
}
