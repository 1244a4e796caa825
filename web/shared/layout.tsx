/** The frame every page of an app shares: a skip link, the header (app name, who is signed in, `Sign out`), the main region. */
import type { ComponentChildren } from 'preact';

export interface LayoutProps {
  readonly appName: string;
  readonly skipToContent: string;
  /** Who is signed in (shown), if anyone. */
  readonly signedInAs?: string;
  readonly signOutLabel: string;
  readonly onSignOut?: () => void;
  /** The app's main navigation (links), beside its name. */
  readonly nav?: ComponentChildren;
  readonly children: ComponentChildren;
}

export function Layout({ appName, skipToContent, signedInAs, signOutLabel, onSignOut, nav, children }: LayoutProps) {
  return (
    <>
      <a class="skip" href="#main">
        {skipToContent}
      </a>
      <header class="bar">
        <a class="brand" href="/">
          {appName}
        </a>
        {nav}
        {onSignOut && (
          <div class="who">
            {signedInAs && <span class="email">{signedInAs}</span>}
            <button type="button" class="secondary" onClick={onSignOut}>
              {signOutLabel}
            </button>
          </div>
        )}
      </header>
      <main id="main" class="page" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** A refusal or failure, as a person reads it: a title and what to do. */
export function Notice({ title, children, alert = true }: { title: string; children?: ComponentChildren; alert?: boolean }) {
  return (
    <section class="notice" role={alert ? 'alert' : 'status'}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
