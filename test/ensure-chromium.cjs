#!/usr/bin/env node
// The browser tests drive a real Chromium (Debian's package) with playwright-core. On a fresh
// machine of this kind (Debian, root) it is installed here when missing; elsewhere this fails with
// one line saying how. CHROMIUM_PATH may point at another Chromium.
'use strict';
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const found = () => (process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : CANDIDATES).find((p) => fs.existsSync(p));

if (process.env.CHROMIUM_PATH && !fs.existsSync(process.env.CHROMIUM_PATH)) {
  console.error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist: point it at a Chromium, or unset it to use Debian's chromium package.`);
  process.exit(1);
}
if (!found()) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const aptGet = fs.existsSync('/usr/bin/apt-get');
  if (!root || !aptGet) {
    console.error('The browser tests need Chromium: run `apt-get install -y chromium` as root (Debian), or set CHROMIUM_PATH to a Chromium binary.');
    process.exit(1);
  }
  console.log('Installing Chromium for the browser tests (apt-get install -y chromium)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium']]) {
    const run = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (run.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed: install Chromium yourself (apt-get install -y chromium) or set CHROMIUM_PATH.`);
      process.exit(1);
    }
  }
  if (!found()) {
    console.error('apt-get installed no /usr/bin/chromium: set CHROMIUM_PATH to a Chromium binary.');
    process.exit(1);
  }
}
