/** An app's start: its runtime configuration first, then the app; a page that says so if the configuration cannot be read. */
import { render, type ComponentType } from 'preact';
import { loadConfig, type AppConfig } from './config';
import { decodablePath } from './decodable-path';

/** Rewrites the address in place (no navigation, no history entry) when a segment of it would not decode. */
function repairLocation(): void {
  const path = decodablePath(location.pathname);
  if (path !== location.pathname) history.replaceState(history.state, '', path + location.search + location.hash);
}

export async function boot(App: ComponentType<{ config: AppConfig }>, unavailable: string): Promise<void> {
  const root = document.getElementById('app');
  if (!root) return;
  // Before the router reads the address: a segment it cannot decode would fail the whole render.
  repairLocation();
  try {
    const config = await loadConfig();
    render(<App config={config} />, root);
  } catch {
    render(
      <main id="main" class="page">
        <p role="alert">{unavailable}</p>
      </main>,
      root,
    );
  }
}
