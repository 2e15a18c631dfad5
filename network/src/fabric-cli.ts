import { execFile } from 'node:child_process';
import path from 'node:path';
import {
  configtxlatorArgs,
  osnadminArgs,
  peerArgs,
  type ConfigtxlatorCommand,
  type OsnadminCommand,
  type PeerCommand,
} from './commands';
import type { Consortium, OrgDefinition } from './definition';
import type { FabricInstall, FabricTool } from './fabric-bin';
import type { Layout } from './layout';

/** Runs Fabric's own command-line tools and turns a failure into an error carrying their output. */

export class FabricToolError extends Error {
  readonly tool: string;
  readonly output: string;

  constructor(tool: string, args: readonly string[], output: string, cause?: unknown) {
    const tail = output.trim().split('\n').slice(-12).join('\n');
    super(`${tool} ${args.slice(0, 3).join(' ')} failed:\n${tail}`, { cause });
    this.name = 'FabricToolError';
    this.tool = tool;
    this.output = output;
  }
}

export interface ToolResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** One host's view: the consortium as it knows it, its data dir's layout, its Fabric CLI. */
export interface Site {
  readonly consortium: Consortium;
  readonly layout: Layout;
  readonly cli: FabricCli;
}

export class FabricCli {
  readonly #fabric: FabricInstall;
  readonly #layout: Layout;

  constructor(fabric: FabricInstall, layout: Layout) {
    this.#fabric = fabric;
    this.#layout = layout;
  }

  run(
    tool: FabricTool,
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
    timeoutMs = 120_000,
  ): Promise<ToolResult> {
    const file = path.join(this.#fabric.binDir, tool);
    const fullEnv = {
      ...process.env,
      FABRIC_CFG_PATH: this.#layout.configDir,
      FABRIC_LOGGING_SPEC: 'warning',
      ...env,
    };
    return new Promise((resolve, reject) => {
      execFile(
        file,
        [...args],
        { env: fullEnv, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error) {
            reject(new FabricToolError(tool, args, `${stdout}\n${stderr}`, error));
          } else {
            resolve({ stdout, stderr });
          }
        },
      );
    });
  }

  /** Environment for `peer` CLI calls made as an organisation's admin against its own peer. */
  peerAdminEnv(org: OrgDefinition): Record<string, string> {
    const admin = this.#layout.admin(org);
    return {
      CORE_PEER_TLS_ENABLED: 'true',
      CORE_PEER_LOCALMSPID: org.mspId,
      CORE_PEER_MSPCONFIGPATH: admin.mspDir,
      CORE_PEER_ADDRESS: `${org.address}:${org.ports.peer}`,
      CORE_PEER_TLS_ROOTCERT_FILE: this.#layout.peer(org).tls.ca,
    };
  }

  /** Runs a `peer` command as `org`'s admin against `org`'s own peer. */
  peer(org: OrgDefinition, command: PeerCommand, timeoutMs?: number): Promise<ToolResult> {
    return this.run('peer', peerArgs(command), this.peerAdminEnv(org), timeoutMs);
  }

  osnadmin(command: OsnadminCommand, timeoutMs?: number): Promise<ToolResult> {
    return this.run('osnadmin', osnadminArgs(command), {}, timeoutMs);
  }

  configtxlator(command: ConfigtxlatorCommand): Promise<ToolResult> {
    return this.run('configtxlator', configtxlatorArgs(command));
  }
}
