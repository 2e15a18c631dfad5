/**
 * The network package's public surface: what scripts/ and test/ import. Nothing else under
 * network/src is imported from outside network/.
 *
 * - `Network`: one consortium on this machine (definition, layout, Fabric CLI, processes;
 *   `up`, `down`, `status`, `gateways`).
 * - `Hosts`: one organisation's host (`OrdererHost`, `PeerHost`), for the per-host flow.
 * - `Cli`: what the npm commands share (flags and `--help`, the role commands, `organisation:add`).
 * - `Definition`: the consortium definition, organisation files, the data dir and its layout.
 * - `Runtime`: the Fabric install and clients, processes, supervision, gateways, chaincode servers.
 * - `ConnectionProfiles`: common connection profiles for standard Fabric clients (Caliper, Explorer).
 */
export { Network } from './src/network';
export * as Hosts from './src/host';
export * as Cli from './src/public/cli';
export * as Definition from './src/public/definition';
export * as Runtime from './src/public/runtime';
export * as ConnectionProfiles from './src/connection-profile';
