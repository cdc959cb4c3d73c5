#!/usr/bin/env node
// Finds the Chromium the end-to-end tests drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium.
// Playwright cannot download its own browser builds here, so on Debian/Ubuntu as root this installs
// the distribution package; anywhere else it says what to install or which variable to set.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';

const DEFAULT_PATH = '/usr/bin/chromium';

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    console.error(`ensure-chromium: CHROMIUM_PATH=${fromEnv} is not an executable file.`);
    process.exit(1);
  }
  return isExecutable(DEFAULT_PATH) ? DEFAULT_PATH : undefined;
}

function isDebianLike() {
  if (!existsSync('/etc/os-release')) return false;
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(osRelease);
}

function hasAptGet() {
  return spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

function aptInstallChromium() {
  console.log('ensure-chromium: no Chromium found; installing Debian\'s "chromium" package with apt-get…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) {
      console.error(`ensure-chromium: "apt-get ${args.join(' ')}" failed (exit ${result.status ?? result.signal}).`);
      process.exit(1);
    }
  }
}

let chromium = findChromium();
if (!chromium) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && isDebianLike() && hasAptGet()) {
    aptInstallChromium();
    chromium = findChromium();
  }
}
if (!chromium) {
  console.error(
    [
      'ensure-chromium: no Chromium to run the end-to-end tests with.',
      'Playwright cannot download its own browser here; use a system Chromium:',
      '  - on Debian/Ubuntu: sudo apt-get install -y chromium   (provides /usr/bin/chromium), or',
      '  - set CHROMIUM_PATH to the chromium/chrome executable you have.',
    ].join('\n'),
  );
  process.exit(1);
}

let version = 'unknown version';
try {
  version = execFileSync(chromium, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch (error) {
  console.error(`ensure-chromium: ${chromium} does not run: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
console.log(`ensure-chromium: ${chromium}: ${version}`);
