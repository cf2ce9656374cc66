/**
 * Child-process side of `RunningServer.stats()`: counts the HTTP requests `server` received and
 * reports them with the process's CPU time (all threads, user + system), so a benchmark can give
 * the CPU cost of one request on each side. The same listener is added to every server measured,
 * ours and the peers', so the counting costs both the same.
 */
import type { Server } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export function serveStats(server: Server): void {
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
