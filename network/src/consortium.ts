import type { Consortium } from './definition';
import { ensureApiKeys, gatewayInfo, gatewayProcessName, startGateway, waitGatewayReady } from './gateways';
import { Layout } from './layout';
import { up, type Log } from './network';

/** The whole local consortium: the network (network.ts) plus one HTTP gateway per organisation. */
export async function startConsortium(consortium: Consortium, log: Log = console.log): Promise<void> {
  const started = Date.now();
  await up(consortium, log);
  const layout = new Layout(consortium);
  ensureApiKeys(consortium, layout);
  log('Gateways');
  for (const org of consortium.orgs) {
    const { pid, reused } = startGateway(consortium, layout, org);
    log(
      `      ${gatewayProcessName(org)} ${reused ? 'already running' : 'started'} (pid ${pid}) on 127.0.0.1:${org.ports.gateway}`,
    );
  }
  await Promise.all(consortium.orgs.map((org) => waitGatewayReady(org)));
  log(`Consortium and gateways ready in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  for (const g of gatewayInfo(consortium, layout)) {
    log(`      ${g.mspId.padEnd(14)} ${g.url}  (API keys: npm run consortium:info)`);
  }
}
