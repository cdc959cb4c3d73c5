#!/usr/bin/env node
// Finds what the end-to-end tests run besides Node: the Chromium they drive ($CHROMIUM_PATH, else
// Debian's /usr/bin/chromium) and the nginx they serve the app from ($NGINX_PATH, else
// /usr/sbin/nginx). Playwright cannot download its own browser builds here, so on Debian/Ubuntu as
// root this installs the distribution packages; anywhere else it says what to install or which
// variable to set.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';

const DEFAULT_PATH = '/usr/bin/chromium';
const NGINX_DEFAULT_PATH = '/usr/sbin/nginx';

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function find(variable, defaultPath) {
  const fromEnv = process.env[variable];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    console.error(`ensure-system-deps: ${variable}=${fromEnv} is not an executable file.`);
    process.exit(1);
  }
  return isExecutable(defaultPath) ? defaultPath : undefined;
}

const findChromium = () => find('CHROMIUM_PATH', DEFAULT_PATH);
const findNginx = () => find('NGINX_PATH', NGINX_DEFAULT_PATH);

function isDebianLike() {
  if (!existsSync('/etc/os-release')) return false;
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(osRelease);
}

function hasAptGet() {
  return spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

function aptInstall(packages) {
  console.log(`ensure-system-deps: installing Debian's ${packages.map((name) => `"${name}"`).join(' and ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...packages]]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) {
      console.error(`ensure-system-deps: "apt-get ${args.join(' ')}" failed (exit ${result.status ?? result.signal}).`);
      process.exit(1);
    }
  }
}

let chromium = findChromium();
let nginx = findNginx();
if (!chromium || !nginx) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && isDebianLike() && hasAptGet()) {
    aptInstall([...(chromium ? [] : ['chromium']), ...(nginx ? [] : ['nginx-light'])]);
    chromium = findChromium();
    nginx = findNginx();
  }
}
if (!chromium) {
  console.error(
    [
      'ensure-system-deps: no Chromium to run the end-to-end tests with.',
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
  console.error(`ensure-system-deps: ${chromium} does not run: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
console.log(`ensure-system-deps: ${chromium}: ${version}`);

if (!nginx) {
  console.error(
    [
      'ensure-system-deps: no nginx to serve the app from in the end-to-end tests (e2e/nginx.spec.ts).',
      '  - on Debian/Ubuntu: sudo apt-get install -y nginx-light   (provides /usr/sbin/nginx), or',
      '  - set NGINX_PATH to the nginx executable you have.',
    ].join('\n'),
  );
  process.exit(1);
}
// nginx -v prints to stderr.
const nginxVersion = spawnSync(nginx, ['-v'], { encoding: 'utf8' });
if (nginxVersion.status !== 0) {
  console.error(`ensure-system-deps: ${nginx} does not run: ${nginxVersion.stderr || nginxVersion.error}`);
  process.exit(1);
}
console.log(`ensure-system-deps: ${nginx}: ${nginxVersion.stderr.trim()}`);
