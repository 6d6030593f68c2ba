import { createMemoryBus } from './memory-bus.ts';
import { describeBusConformance } from '../test/bus-conformance.ts';

describeBusConformance('in-process', () => Promise.resolve(createMemoryBus({ retryDelayMs: 10 })), 5000);
