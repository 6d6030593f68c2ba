/**
 * The process of one simulated host (sim/child-sim-host.ts starts it): the real agent pieces of
 * sim-host.ts with a Kafka producer of their own, driven over IPC on the parent's simulated clock.
 * Requests are handled one at a time, in order; every reply carries the batches sent and the records
 * the spool holds. It may be SIGKILLed at any moment: that is what it is for.
 */
import { pino } from 'pino';
import { createKafkaBus } from '../bus/kafka-bus.ts';
import type { ChildMessage, ChildRequest } from './child-sim-host.ts';
import { createSimHost, type SimHostConfig } from './sim-host.ts';

const { config, brokers } = JSON.parse(process.argv[2] ?? '{}') as {
  config: SimHostConfig;
  brokers: string[];
};
const logger = pino({ level: 'warn' });
const send = (m: ChildMessage) => process.send?.(m);
const bus = createKafkaBus({
  brokers,
  clientId: `sim-agent-${config.node.name}`,
  logger,
  lingerMs: 5,
  maxBatchRecords: 2000,
});
let now = 0;
const host = createSimHost(config, {
  sink: bus,
  now: () => now,
  logger,
  onPodEvents: (events) => send({ events }),
});
const pendingTimer = setInterval(() => send({ pending: host.pendingRecords() }), 500);

const handle = async (req: ChildRequest): Promise<void> => {
  switch (req.op) {
    case 'boot':
      for (const p of req.running) host.podStarted(p);
      return host.boot();
    case 'tick':
      now = req.now;
      return host.tick();
    case 'podStarted':
    case 'podDeleted':
      now = req.now;
      return req.op === 'podStarted' ? host.podStarted(req.pod) : host.podDeleted(req.pod);
    case 'stop':
      now = req.now;
      await host.stop();
      clearInterval(pendingTimer);
      await bus.close();
  }
};

let queue: Promise<void> = Promise.resolve();
process.on('message', (m: ChildRequest & { id: number }) => {
  queue = queue.then(async () => {
    const before = host.batches;
    try {
      await handle(m);
      const reply: ChildMessage = {
        id: m.id,
        ok: true,
        batches: host.batches - before,
        pending: host.pendingRecords(),
      };
      if (m.op === 'stop') process.send?.(reply, () => process.exit(0));
      else send(reply);
    } catch (error) {
      send({ id: m.id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  });
});
// The parent gone (its IPC channel closed): nothing is left to drive this host.
process.on('disconnect', () => process.exit(0));
