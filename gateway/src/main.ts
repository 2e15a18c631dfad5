// First: stops with a clear message on a Node too old for the modules below.
import './node-version';
import { ConfigError, loadConfig } from './config';
import { startGateway } from './server';

/** Process entry: `node gateway/dist/main.js`, configured by HPF_GW_* environment variables. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const gateway = await startGateway(config);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    gateway.logger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        gateway.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError ? `configuration error: ${err.message}` : String(err);
  process.stderr.write(`hpf-gateway: ${message}\n`);
  process.exit(1);
});
