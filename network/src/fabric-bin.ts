import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { parseState, readState } from './state-store';

const stampSchema = z.object({ builtAt: z.string().optional() });
const goModDownloadSchema = z.object({ Dir: z.string().optional(), Error: z.string().optional() });

/**
 * Where the Fabric binaries and their sample configuration come from. Resolution order:
 * 1. `FABRIC_BIN`, when set and its `peer version` is a v3.1 release;
 * 2. a cache outside the repository, keyed by the Fabric commit;
 * 3. `go install` from the Go module proxy at the pinned commit, showing progress.
 *
 * The pinned commit is v3.1.5 (86c1172b). When the module proxy refuses that version (this
 * workplace's proxy does: 403 "This module version is not available"), we say so with the proxy's exact
 * error and build the newest v3.1 release it serves, v3.1.1 (435a7f1a). Both are the same release line.
 */

export interface FabricRelease {
  readonly release: string;
  readonly commit: string;
  /** Go pseudo-version: the module path has no /v3, so a v3 tag cannot be named, only its commit. */
  readonly pseudoVersion: string;
}

export const PINNED: FabricRelease = {
  release: '3.1.5',
  commit: '86c1172bec37e6590c6b1ae6f847833df48d65fc',
  pseudoVersion: 'v1.4.0-rc1.0.20260618074816-86c1172bec37',
};

export const FALLBACK: FabricRelease = {
  release: '3.1.1',
  commit: '435a7f1a780a128756fb2f72bf4cad164bf13fbb',
  pseudoVersion: 'v1.4.0-rc1.0.20250510200036-435a7f1a780a',
};

export const FABRIC_TOOLS = [
  'peer',
  'orderer',
  'configtxgen',
  'configtxlator',
  'osnadmin',
  'cryptogen',
] as const;
export type FabricTool = (typeof FABRIC_TOOLS)[number];

export interface FabricInstall {
  readonly binDir: string;
  /** Directory holding Fabric's own core.yaml and orderer.yaml for this release. */
  readonly configDir: string;
  readonly release: string;
  readonly commit: string;
  readonly source: 'FABRIC_BIN' | 'cache' | 'built';
}

const MODULE = 'github.com/hyperledger/fabric';

export class FabricUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FabricUnavailableError';
  }
}

export function fabricCacheRoot(): string {
  const base =
    process.env.HPF_FABRIC_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'hpf-fabric');
  return path.resolve(base);
}

function toolPath(binDir: string, tool: FabricTool): string {
  return path.join(binDir, tool);
}

function hasAllTools(binDir: string): boolean {
  return FABRIC_TOOLS.every((tool) => existsSync(toolPath(binDir, tool)));
}

/** `peer version` prints `Version: v3.1.1` (or `3.1.1`) and `Commit SHA: …`. */
export function peerVersion(binDir: string): { version: string; commit: string } | null {
  const out = spawnSync(toolPath(binDir, 'peer'), ['version'], { encoding: 'utf8', timeout: 20_000 });
  if (out.status !== 0) {
    return null;
  }
  const version = /Version:\s*v?([0-9][^\s]*)/.exec(out.stdout)?.[1];
  const commit = /Commit SHA:\s*(\S+)/.exec(out.stdout)?.[1] ?? '';
  return version === undefined ? null : { version, commit };
}

function goAvailable(): boolean {
  return spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
}

function goModDownload(release: FabricRelease): { dir: string } | { error: string } {
  const out = spawnSync('go', ['mod', 'download', '-json', `${MODULE}@${release.pseudoVersion}`], {
    encoding: 'utf8',
    cwd: os.tmpdir(),
    env: { ...process.env, GOFLAGS: '-mod=mod' },
    maxBuffer: 16 * 1024 * 1024,
  });
  try {
    const parsed = parseState('go mod download -json', out.stdout, goModDownloadSchema);
    if (parsed.Dir !== undefined && parsed.Error === undefined) {
      return { dir: parsed.Dir };
    }
    return { error: parsed.Error ?? (out.stderr || 'go mod download failed') };
  } catch {
    return { error: out.stderr.trim() || `go mod download exited with ${String(out.status)}` };
  }
}

function cacheDirFor(release: FabricRelease): string {
  return path.join(fabricCacheRoot(), release.commit);
}

function readyStamp(release: FabricRelease): string {
  return path.join(cacheDirFor(release), 'READY');
}

function fromCache(release: FabricRelease): FabricInstall | null {
  const dir = cacheDirFor(release);
  if (!existsSync(readyStamp(release)) || !hasAllTools(path.join(dir, 'bin'))) {
    return null;
  }
  return {
    binDir: path.join(dir, 'bin'),
    configDir: path.join(dir, 'config'),
    release: release.release,
    commit: release.commit,
    source: 'cache',
  };
}

type Log = (line: string) => void;

/** Runs `go install -v` inside the module directory, printing one progress line per 40 packages compiled. */
async function goInstall(moduleDir: string, release: FabricRelease, binDir: string, log: Log): Promise<void> {
  const ldflags = [
    `-X ${MODULE}/common/metadata.Version=v${release.release}`,
    `-X ${MODULE}/common/metadata.CommitSHA=${release.commit.slice(0, 8)}`,
  ].join(' ');
  const args = [
    'install',
    '-v',
    '-trimpath',
    `-ldflags=${ldflags}`,
    ...FABRIC_TOOLS.map((tool) => `./cmd/${tool}`),
  ];
  const started = Date.now();
  const child = spawn('go', args, {
    cwd: moduleDir,
    env: {
      ...process.env,
      GOBIN: binDir,
      GOFLAGS: '-mod=mod -buildvcs=false',
      CGO_ENABLED: process.env.CGO_ENABLED ?? '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let packages = 0;
  const tail: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
    if (!line.startsWith('go: downloading')) packages += 1;
    if (packages > 0 && packages % 40 === 0) {
      log(`  … ${packages} packages compiled (${Math.round((Date.now() - started) / 1000)} s)`);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) {
    throw new FabricUnavailableError(
      `go install of Fabric ${release.release} failed (exit ${String(code)}):\n${tail.join('\n')}`,
    );
  }
  log(`  built ${FABRIC_TOOLS.join(', ')} in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function build(release: FabricRelease, moduleDir: string, log: Log): Promise<FabricInstall> {
  const dir = cacheDirFor(release);
  const binDir = path.join(dir, 'bin');
  const configDir = path.join(dir, 'config');
  mkdirSync(binDir, { recursive: true });
  mkdirSync(configDir, { recursive: true });
  log(
    `Building Fabric v${release.release} (${release.commit.slice(0, 8)}) into ${dir}; the first build takes several minutes on 2 cores`,
  );
  await goInstall(moduleDir, release, binDir, log);
  for (const file of ['core.yaml', 'orderer.yaml']) {
    copyFileSync(path.join(moduleDir, 'sampleconfig', file), path.join(configDir, file));
  }
  writeFileSync(
    readyStamp(release),
    JSON.stringify({ release: release.release, commit: release.commit, builtAt: new Date().toISOString() }) +
      '\n',
  );
  return { binDir, configDir, release: release.release, commit: release.commit, source: 'built' };
}

function fromEnv(log: Log): FabricInstall | null {
  const binDir = process.env.FABRIC_BIN;
  if (binDir === undefined || binDir === '') {
    return null;
  }
  if (!hasAllTools(binDir)) {
    throw new FabricUnavailableError(`FABRIC_BIN=${binDir} does not hold all of: ${FABRIC_TOOLS.join(', ')}`);
  }
  const version = peerVersion(binDir);
  if (version === null || !version.version.startsWith('3.1.')) {
    throw new FabricUnavailableError(
      `FABRIC_BIN=${binDir}: peer reports version ${version?.version ?? 'unknown'}, need a Fabric v3.1 release (pinned v${PINNED.release})`,
    );
  }
  const configDir = [path.join(binDir, '..', 'config'), path.join(binDir, '..', 'sampleconfig')].find((d) =>
    existsSync(path.join(d, 'core.yaml')),
  );
  if (configDir === undefined) {
    throw new FabricUnavailableError(
      `FABRIC_BIN=${binDir}: no core.yaml/orderer.yaml found in ${path.join(binDir, '..', 'config')}`,
    );
  }
  log(`Using Fabric ${version.version} from FABRIC_BIN=${binDir}`);
  return { binDir, configDir, release: version.version, commit: version.commit, source: 'FABRIC_BIN' };
}

/** Finds or builds the Fabric binaries; see the module comment for the order. */
export async function ensureFabric(log: Log = console.log): Promise<FabricInstall> {
  const env = fromEnv(log);
  if (env !== null) return env;
  for (const release of [PINNED, FALLBACK]) {
    const cached = fromCache(release);
    if (cached !== null) return cached;
  }
  if (!goAvailable()) {
    throw new FabricUnavailableError(
      'Fabric binaries not found and Go is not installed. Install Go 1.24 or newer (https://go.dev/dl/, or `apt-get install golang` if recent enough), ' +
        `or set FABRIC_BIN to a directory holding Fabric v${PINNED.release} binaries (${FABRIC_TOOLS.join(', ')}) with its config/ beside it.`,
    );
  }
  for (const release of [PINNED, FALLBACK]) {
    log(`Fetching Fabric v${release.release} module ${MODULE}@${release.pseudoVersion}`);
    const download = goModDownload(release);
    if ('dir' in download) {
      return build(release, download.dir, log);
    }
    log(`  the Go module proxy refused v${release.release}: ${download.error}`);
  }
  throw new FabricUnavailableError(
    `the Go module proxy serves neither Fabric v${PINNED.release} nor v${FALLBACK.release}; set FABRIC_BIN`,
  );
}

/** Reads the stamp of a cached build, for status output. */
export function describeInstall(install: FabricInstall): string {
  const stamp = path.join(install.binDir, '..', 'READY');
  const builtAt = readState(stamp, stampSchema)?.builtAt;
  return `Fabric v${install.release.replace(/^v/, '')} (${install.commit.slice(0, 8)}) from ${install.source}: ${install.binDir}${builtAt ? `, built ${builtAt}` : ''}`;
}
