/** Stops the local stack that global-setup started (and, through it, its emulators), and the shared browser. */
import type { BrowserServer } from 'playwright-core';
import { stopTestStack } from './support/local-stack-process';

const holder = globalThis as typeof globalThis & { __portalBrowserServer?: BrowserServer };

export default async function globalTeardown(): Promise<void> {
  await Promise.all([stopTestStack(), holder.__portalBrowserServer?.close()]);
}
