import { createKafkaBus } from '../../bus/kafka-bus.ts';
import { describeBusConformance } from '../bus-conformance.ts';
import { loadTestServices, testLogger } from '../helpers/services.ts';

const services = loadTestServices(process.env);

describeBusConformance('kafka', () =>
  Promise.resolve(createKafkaBus({ brokers: services.kafkaBrokers, clientId: 'bus-conformance', logger: testLogger('kafka-bus'), topicPrefix: 'conformance.' })),
);
