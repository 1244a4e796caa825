#!/usr/bin/env node
// `npm start`: plain Node with no dependencies, so it can install them first and say clearly what is
// missing (Java for DynamoDB Local) before anything TypeScript runs. Then it runs local/start.ts with
// tsx, forwarding the command line and the signals.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

// What the tools need (vite, Redocly's CLI): 20.19+ or 22.12+ (Lambda runs 22).
const [major, minor] = process.versions.node.split('.').map(Number);
if (!((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23)) {
  console.error(`Node.js 20.19+ or 22.12+ is required, not ${process.versions.node}: install one (e.g. nvm install 22)`);
  process.exit(1);
}

if (!fs.existsSync(path.join(root, 'node_modules'))) {
  const install = spawnSync('npm', ['ci'], { cwd: root, stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

const java = spawnSync('java', ['-version'], { stdio: 'ignore' });
if (java.error || java.status !== 0) {
  console.error('Java 17+ is required for DynamoDB Local: install it (e.g. apt-get install -y openjdk-17-jre-headless)');
  process.exit(1);
}

const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'local', 'start.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
