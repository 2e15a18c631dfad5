import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's Prometheus metrics, in a registry of its own so that tests can build many apps. */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status' | 'outcome'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly fabricDuration: Histogram<'contract' | 'transaction' | 'kind' | 'outcome'>;
  readonly ledgerEvents: Counter<'type'>;
}

export function newMetrics(options: Readonly<{ defaultMetrics?: boolean }> = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics === true) {
    collectDefaultMetrics({ register: registry });
  }
  return {
    registry,
    httpRequests: new Counter({
      name: 'hpf_gateway_http_requests_total',
      help: 'HTTP requests by route and outcome',
      labelNames: ['method', 'route', 'status', 'outcome'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'hpf_gateway_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    fabricDuration: new Histogram({
      name: 'hpf_gateway_fabric_call_duration_seconds',
      help: 'Fabric call latency (evaluate, or endorse+submit+commit)',
      labelNames: ['contract', 'transaction', 'kind', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    ledgerEvents: new Counter({
      name: 'hpf_gateway_ledger_events_total',
      help: 'Chaincode events seen by the checkpointed listener, by type',
      labelNames: ['type'],
      registers: [registry],
    }),
  };
}
