import { describeWithServices } from '../support/services.js';
import { clusterScenarios } from './support/cluster-scenarios.js';

// Three (then four) app processes on loopback, over the machine's NATS (@nats-io/transport-node 3.x).
await describeWithServices(['nats'], 'Cluster resets over NATS, between replica processes', () => {
  clusterScenarios('nats');
});
