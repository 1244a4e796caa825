/**
 * Starts the local stack once for the whole integration run (own ports and data directory, fresh)
 * and hands its stack.json path to the tests through PORTAL_STACK_FILE. With PORTAL_STACK_FILE
 * already set, the tests run against that (already running) stack instead. Meanwhile it starts the
 * one Chromium the browser suites share (support/browser.ts); without Chromium, the suites that need
 * it say how to install it, and the others run.
 */
import type { BrowserServer } from 'playwright-core';
import { BROWSER_WS_ENV, startBrowserServer } from './support/browser';
import { STACK_FILE_ENV, startTestStack } from './support/local-stack-process';

// Global setup and teardown run in the same process but as separate modules: the handle lives on globalThis.
const holder = globalThis as typeof globalThis & { __portalBrowserServer?: BrowserServer };

export default async function globalSetup(): Promise<void> {
  // Node 20 here, 22 in Lambda: the SDK's advance notice about Node 20 would repeat in every test file.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const browser = process.env[BROWSER_WS_ENV]
    ? Promise.resolve(undefined)
    : startBrowserServer().then(
        (server) => {
          holder.__portalBrowserServer = server;
          process.env[BROWSER_WS_ENV] = server.wsEndpoint();
        },
        () => undefined,
      );
  if (!process.env[STACK_FILE_ENV]) process.env[STACK_FILE_ENV] = await startTestStack();
  await browser;
}
