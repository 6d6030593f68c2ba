import net from 'node:net';
import type { StackConfig } from './config.ts';
import { serviceSpec } from './service-spec.ts';
import { StackError } from './stack-error.ts';
import type { ServiceName } from './types.ts';

/** True when nothing listens on host:port (we can bind it ourselves for a moment). */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Rejects when any port of `service` is taken, naming the port, its role and the env var to set.
 * Called only when no process of ours runs for that service, so whatever holds the port is not ours.
 */
export async function assertPortsFree(config: StackConfig, service: ServiceName): Promise<void> {
  const spec = serviceSpec(config, service);
  const taken: string[] = [];
  for (const { role, port, envVar } of spec.ports) {
    if (!(await isPortFree(config.host, port))) {
      taken.push(
        `port ${port} (${spec.label} ${role}) on ${config.host} is already in use by a process that is not ours; stop it or set ${envVar} to a free port`,
      );
    }
  }
  if (taken.length > 0) throw new StackError(`starting ${spec.label}`, taken.join('; '));
}
