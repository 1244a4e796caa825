/** What the local stack remembers between runs (`<data-dir>/state.json`): pool and client ids, the admin's password. */
import fs from 'node:fs';
import path from 'node:path';

export interface LocalState {
  staffUserPoolId?: string;
  staffClientId?: string;
  customerUserPoolId?: string;
  customerClientId?: string;
  adminPassword?: string;
}

const fileOf = (dataDir: string) => path.join(dataDir, 'state.json');

export function readState(dataDir: string): LocalState {
  try {
    return JSON.parse(fs.readFileSync(fileOf(dataDir), 'utf8')) as LocalState;
  } catch {
    return {};
  }
}

export function writeState(dataDir: string, state: LocalState): void {
  fs.writeFileSync(fileOf(dataDir), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}
