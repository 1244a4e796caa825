/** Stops the local stack that global-setup started (and, through it, its emulators). */
import { stopTestStack } from './support/local-stack-process';

export default async function globalTeardown(): Promise<void> {
  await stopTestStack();
}
