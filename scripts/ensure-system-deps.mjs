#!/usr/bin/env node
// Finds what the end-to-end tests run besides Node: the three engines they drive (Debian's
// Chromium, Firefox ESR, and WebKitGTK's MiniBrowser with WebKitWebDriver), the X server
// MiniBrowser needs (it has no headless mode) and the nginx they serve the app from. Each can be
// pointed at with a variable; by default the Debian paths are used. Playwright cannot download its
// own browser builds here, nor drive Debian's Firefox or WebKit, so on Debian/Ubuntu as root this
// installs the distribution packages that are missing; anywhere else it says what to install.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';

/** What the suite needs: an executable, where to look, the Debian package, how to ask its version. */
const REQUIREMENTS = [
  { name: 'Chromium', variable: 'CHROMIUM_PATH', paths: ['/usr/bin/chromium'], pkg: 'chromium', version: ['--version'] },
  { name: 'nginx', variable: 'NGINX_PATH', paths: ['/usr/sbin/nginx'], pkg: 'nginx-light', version: ['-v'] },
  { name: 'Firefox', variable: 'FIREFOX_PATH', paths: ['/usr/bin/firefox-esr'], pkg: 'firefox-esr', version: ['--version'] },
  { name: 'WebKitWebDriver', variable: 'WEBKIT_WEBDRIVER_PATH', paths: ['/usr/bin/WebKitWebDriver'], pkg: 'webkit2gtk-driver', version: null },
  {
    name: 'MiniBrowser',
    variable: 'MINIBROWSER_PATH',
    paths: [
      '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
      '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
      '/usr/libexec/webkit2gtk-4.1/MiniBrowser',
    ],
    pkg: 'webkit2gtk-driver',
    // Even --version wants a display.
    version: null,
  },
  { name: 'Xvfb', variable: 'XVFB_PATH', paths: ['/usr/bin/Xvfb'], pkg: 'xvfb', version: null },
];

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function find(requirement) {
  const fromEnv = process.env[requirement.variable];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    console.error(`ensure-system-deps: ${requirement.variable}=${fromEnv} is not an executable file.`);
    process.exit(1);
  }
  return requirement.paths.find(isExecutable);
}

function isDebianLike() {
  if (!existsSync('/etc/os-release')) return false;
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(readFileSync('/etc/os-release', 'utf8'));
}

function canInstall() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot && isDebianLike() && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

function aptInstall(packages) {
  console.log(`ensure-system-deps: installing Debian's ${packages.map((name) => `"${name}"`).join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...packages]]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) {
      console.error(`ensure-system-deps: "apt-get ${args.join(' ')}" failed (exit ${result.status ?? result.signal}).`);
      process.exit(1);
    }
  }
}

let missing = REQUIREMENTS.filter((requirement) => !find(requirement));
if (missing.length > 0 && canInstall()) {
  aptInstall([...new Set(missing.map((requirement) => requirement.pkg))]);
  missing = REQUIREMENTS.filter((requirement) => !find(requirement));
}
if (missing.length > 0) {
  console.error('ensure-system-deps: the end-to-end tests need, and this machine lacks:');
  for (const { name, variable, paths, pkg } of missing) {
    console.error(`  - ${name}: on Debian/Ubuntu \`sudo apt-get install -y ${pkg}\` (provides ${paths[0]}), or set ${variable}`);
  }
  process.exit(1);
}

for (const requirement of REQUIREMENTS) {
  const path = find(requirement);
  if (!requirement.version) {
    console.log(`ensure-system-deps: ${requirement.name}: ${path}`);
    continue;
  }
  const result = spawnSync(path, requirement.version, { encoding: 'utf8' });
  // nginx -v prints to stderr.
  const version = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n')[0];
  if (result.status !== 0) {
    console.error(`ensure-system-deps: ${path} does not run: ${version || result.error}`);
    process.exit(1);
  }
  console.log(`ensure-system-deps: ${requirement.name}: ${path}: ${version}`);
}
