/**
 * Child-process side of `RunningServer.stats()`: counts the HTTP requests `server` received and
 * reports them with the process's CPU time (all threads, user + system), so a benchmark can give
 * the CPU cost of one request on each side. The same listener is added to every server measured,
 * ours and the peers', so the counting costs both the same.
 */
import type { Server } from 'node:http';

export function serveStats(server: Server): void {
  let requests = 0;
  server.on('request', () => {
    requests++;
  });
  process.on('message', (message) => {
    if (message !== 'stats') return;
    const cpu = process.cpuUsage();
    process.send?.({ stats: { api: requests, cpuUs: cpu.user + cpu.system } });
  });
}
