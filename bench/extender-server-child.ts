/**
 * bench:extender's server process: the extender over HTTP on the openb workload (no API server: bind
 * records only), in its own process as in a cluster, so the bench's client does not share its event
 * loop. Prints its URL as the first line of stdout; exits when stdin closes.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pino } from 'pino';
import { startExtenderServer } from '../cli/extender-server.ts';
import { createPlacementExtender } from '../scheduler/extender/extender.ts';
import { parseOpenbPods } from '../scheduler/openb-trace.ts';
import { POLICIES } from '../scheduler/policies/index.ts';
import { computeWorkloadShapes } from '../scheduler/workload-shapes.ts';

const policy = POLICIES[process.argv[2] ?? 'gpu-ledger'];
if (!policy) throw new Error(`unknown policy ${process.argv[2]}`);
const podsPath = resolve(import.meta.dirname, '../../shared/traces/openb/openb_pod_list_default.csv');
const workload = computeWorkloadShapes(parseOpenbPods(readFileSync(podsPath, 'utf8')));
const extender = createPlacementExtender({ policy, workload });
const server = await startExtenderServer(
  { extender, bind: async () => undefined, nowMs: Date.now, logger: pino({ level: 'warn' }) },
  { host: '127.0.0.1', port: 0 },
);
console.log(server.url);
process.stdin.resume();
process.stdin.on('end', () => void server.stop().then(() => process.exit(0)));
