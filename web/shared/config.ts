/** The app's runtime configuration, fetched from its own origin when the page starts (not baked into the bundle). */
import type { WebAppConfig } from '../../lib/web-app-config';

export type AppConfig = WebAppConfig;

const URL_KEYS = ['apiUrl', 'authority', 'hostedUiUrl'] as const;
const TEXT_KEYS = ['region', 'userPoolId', 'clientId'] as const;

export async function loadConfig(path = '/config.json'): Promise<AppConfig> {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  const config = (await response.json()) as Record<string, unknown>;
  for (const key of [...URL_KEYS, ...TEXT_KEYS]) {
    if (typeof config[key] !== 'string' || config[key] === '') throw new Error(`${path}: "${key}" is missing`);
  }
  for (const key of URL_KEYS) new URL(config[key] as string); // throws on a broken URL
  return config as unknown as AppConfig;
}
