import { describeWithServices } from '../support/services.js';
import { clusterScenarios } from './support/cluster-scenarios.js';

// Three (then four) app processes on loopback, over the machine's Redis (pub/sub on ioredis).
await describeWithServices(['redis'], 'Cluster resets over Redis pub/sub, between replica processes', () => {
  clusterScenarios('redis');
});
