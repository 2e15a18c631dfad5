/** The gateway's public surface for other workspaces (tests, scripts). */
export { createApp, type AppOptions, type AppSettings } from './app';
export { ConfigError, loadConfig, type GatewayConfig, type ApiKeyEntry, type Role } from './config';
export { ApiError, type ErrorCode } from './errors';
export type { LedgerClient, SubmitOptions, SubmitResult } from './fabric/ledger-client';
export { newMetrics, type Metrics } from './metrics';
export { startGateway, type RunningGateway } from './server';
