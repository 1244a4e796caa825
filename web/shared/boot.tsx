/** An app's start: its runtime configuration first, then the app; a page that says so if the configuration cannot be read. */
import { render, type ComponentType } from 'preact';
import { loadConfig, type AppConfig } from './config';

export async function boot(App: ComponentType<{ config: AppConfig }>, unavailable: string): Promise<void> {
  const root = document.getElementById('app');
  if (!root) return;
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
