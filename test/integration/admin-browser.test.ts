/**
 * The admin console in a real (headless) Chromium: staff's story. Sign in through the staff hosted
 * UI (code + PKCE), find a company with `Search`, open it, open the wizard (`Grant portal access`),
 * tick two lines (`In Portal <name>`), type a `Message`, `Apply`, see both outcomes; the invitations
 * arrive in the SES emulator with the message escaped in the HTML part; revoke one line and see it;
 * `History` shows the grant and the revocation with the acting user; a stale edit shows the
 * conflict; a staff user outside `portal-admins` sees "not allowed"; a document's page with its
 * grants, who has access, share links and an attachment upload. No console error anywhere
 * (support/browser.ts); a screenshot of every page. The browser and the stack are the run's shared ones.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { distOf, firstLoadJs } from '../../web/build/dist';
import { backTwicePastHostedUi, launchBrowser, launchBrowserWithBackForwardCache, screenshot, watch, wordLines, type ConsoleWatch } from './support/browser';
import { createContact, createPortalUser } from './support/portal-users';
import { adminToken, api, createStaffUser, emails, eventually, stack, uniq, type Email } from './support/stack';

jest.setTimeout(120_000);

const MESSAGE = 'Welcome <b>aboard</b> & "see you"';
/** How long the invitations may take (sending moves to a stream worker with the outbox issue). */
const MAIL_DEADLINE_MS = 30_000;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let console_: ConsoleWatch;
let staffToken: string;
let company: { id: string; name: string };
let deco: { id: string; name: string; email: string };
let brandon: { id: string; name: string; email: string };
let invoice: { type: 'invoice'; id: string; name: string };

const adminUrl = () => stack().adminUrl!;
const heading = (name: string | RegExp, level = 1) => page.getByRole('heading', { level, name });
/** Waits until the locator finds exactly `count` elements (a list being read again shows none meanwhile). */
async function untilCount(locator: Locator, count: number): Promise<void> {
  await eventually(async () => expect(await locator.count()).toBe(count), { timeoutMs: 15_000 });
}
const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
const status = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text });
/** The API answers these requests late, so that the page's wait can be seen. */
async function slowly(url: string, method: string): Promise<void> {
  await page.route(url, async (route) => {
    if (route.request().method() === method) await new Promise((resolve) => setTimeout(resolve, 600));
    await route.fallback();
  });
}
/** The focused element, as `<tag> <aria-label or id>` (the keyboard's place; `BODY` when it was lost). */
const focused = async () =>
  ((await page.evaluate("(() => { const el = document.activeElement; return el ? el.tagName + ' ' + (el.getAttribute('aria-label') ?? el.id) : ''; })()")) as string).trim();
/** The focused element's text. */
const focusedText = async () => (await page.evaluate('document.activeElement && document.activeElement.textContent')) as string;

/** Signs in through the staff hosted UI stand-in from a page that shows `Sign in`. */
async function signIn(on: Page, username: string, password: string): Promise<void> {
  await on.getByRole('button', { name: 'Sign in' }).click();
  await on.waitForURL((url) => url.toString().startsWith(`${stack().hostedUiUrl}/oauth2/authorize`));
  await on.getByLabel('Username').fill(username);
  await on.getByLabel('Password').fill(password);
  await on.getByRole('button', { name: 'Sign in' }).click();
  await on.waitForURL((url) => url.toString().startsWith(adminUrl()));
}

beforeAll(async () => {
  staffToken = await adminToken();
  const tag = uniq('co');
  company = await createContact({ kind: 'company', name: `Azure Interior ${tag}` });
  const person = async (name: string) => {
    const email = `${uniq(name.split(' ')[0]!)}@example.com`;
    const created = await createContact({ kind: 'person', name, email, companyId: company.id });
    return { id: created.id, name, email };
  };
  deco = await person('Deco Addict');
  brandon = await person('Brandon Freeman');
  invoice = { type: 'invoice', id: uniq('INV'), name: 'Invoice INV/2026/0042' };
  const put = await api(`/documents/invoice/${invoice.id}`, { method: 'PUT', token: staffToken, body: { customerId: company.id, name: invoice.name, reference: 'INV/2026/0042', amount: 1250, currency: 'EUR' } });
  expect(put.status).toBe(201);

  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1200, height: 850 } });
  // `Copy` writes the clipboard; the test reads it back.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack().adminUrl! });
  page = await context.newPage();
  console_ = watch(page, stack().apiUrl);
});

afterEach(() => {
  expect(console_.errors).toEqual([]);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('the admin console in Chromium', () => {
  test('sign-in through the staff hosted UI (code + PKCE) lands on the contacts, signed in as the admin', async () => {
    await page.goto(adminUrl());
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // The name alone finds it (Playwright's text match is a case-blind substring): no sentence around it says "sign in".
    expect(await page.getByText('Sign in').count()).toBe(1);
    await screenshot(page, 'admin-01-signed-out');
    // The staff hosted UI too: `Sign in` is the button alone, by text as by role (no heading above it says "sign in").
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.toString().startsWith(`${stack().hostedUiUrl}/oauth2/authorize`));
    expect(await page.getByText('Sign in').count()).toBe(1);
    expect(await page.getByLabel('Username').count()).toBe(1);
    await page.goBack();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signIn(page, stack().admin.username, stack().admin.password);
    await heading('Contacts').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('banner').getByText(stack().admin.username, { exact: true }).waitFor();
  });

  test('Search on the start page, typed with a pause: the URL follows the first part, and the rest of the typing still lands in the field', async () => {
    expect(new URL(page.url()).pathname).toBe('/');
    const search = page.getByRole('search').getByRole('textbox', { name: 'Search', exact: true });
    await search.click();
    await page.keyboard.type('Azure');
    // The pause: the search goes out and the address becomes `/contacts?q=Azure` (a new path: `/` was the start page).
    await page.waitForURL((url) => url.searchParams.get('q') === 'Azure');
    await page.getByRole('link', { name: company.name }).waitFor();
    await page.keyboard.type(' Interior');
    await page.waitForURL((url) => url.searchParams.get('q') === 'Azure Interior');
    expect(await search.inputValue()).toBe('Azure Interior');
    expect(await focused()).toBe('INPUT search');
    await page.goto(`${adminUrl()}/`);
    await heading('Contacts').waitFor();
  });

  test('Search finds the company by the start of its name; its page shows its persons and their portal status', async () => {
    // API.md's `Search` field: an ordinary text field (a textbox), in the page's search landmark.
    const search = page.getByRole('search').getByRole('textbox', { name: 'Search', exact: true });
    expect(await search.count()).toBe(1);
    // Every list the page shows while the URL carries the search, noted as it is drawn (a list shown
    // for one frame is enough for a test that clicks a link by name to find two, or the wrong one).
    await page.evaluate(`(() => {
      window.__shownForSearch = [];
      new MutationObserver(() => {
        const q = new URLSearchParams(location.search).get('q');
        const rows = [...document.querySelectorAll('tbody tr th, tbody tr td:first-child')].map((cell) => cell.textContent.trim());
        if (q && rows.length) window.__shownForSearch.push(rows.join(' | '));
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    await search.fill(company.name);
    // Until the search answers, the list says it is searching, and the previous list is gone: a link
    // of the unfiltered list (a person's company) is never there to be found, or clicked, by mistake.
    await status('Searching…').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(0);
    // The search follows the typing: the URL carries it, and the list is that search's answer.
    await page.waitForURL((url) => url.searchParams.get('q') === company.name);
    await untilCount(page.locator('tbody tr'), 1);
    await page.getByRole('link', { name: company.name }).waitFor();
    // Never the unfiltered list (the persons too) under the search's URL, not even for a frame.
    expect(new Set((await page.evaluate('window.__shownForSearch')) as string[])).toEqual(new Set([company.name]));
    await screenshot(page, 'admin-02-search');
    // The `Contacts` link is the list without a search: the field says so too. Back is the search again.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
    await page.waitForURL((url) => !url.searchParams.has('q'));
    await eventually(async () => expect(await search.inputValue()).toBe(''), { timeoutMs: 5_000 });
    await page.goBack();
    await eventually(async () => expect(await search.inputValue()).toBe(company.name), { timeoutMs: 5_000 });
    await untilCount(page.locator('tbody tr'), 1);
    await page.getByRole('link', { name: company.name }).click();
    await heading(company.name).waitFor();
    for (const person of [deco, brandon]) await page.getByRole('link', { name: person.name }).waitFor();
    expect(await page.getByText('No access').count()).toBeGreaterThanOrEqual(3); // the company and its two persons
    await screenshot(page, 'admin-03-company');
  });

  test('the wizard: tick two lines, type a message, Apply — each line shows its outcome', async () => {
    await page.getByRole('button', { name: 'Grant portal access' }).click();
    await heading(`Grant portal access: ${company.name}`).waitFor();
    for (const column of ['Contact', 'Email', 'In Portal']) await page.getByRole('columnheader', { name: column, exact: true }).waitFor();
    // The company and each of its persons, a line each, the email editable on the line.
    expect(await page.getByRole('checkbox', { name: /^In Portal / }).count()).toBe(3);
    expect(await page.getByLabel(`Email ${deco.name}`).inputValue()).toBe(deco.email);

    await page.getByRole('checkbox', { name: `In Portal ${deco.name}` }).check();
    await page.getByRole('checkbox', { name: `In Portal ${brandon.name}` }).check();
    await page.getByLabel('Message').fill(MESSAGE);
    await screenshot(page, 'admin-04-wizard');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('status').filter({ hasText: 'Applied 2 lines.' }).waitFor();
    for (const person of [deco, brandon]) await row(person.name).getByText('Granted', { exact: true }).waitFor();
    // The line the staff left alone was not sent, and says so: each line shows its outcome.
    await row(company.name).getByText('Unchanged', { exact: true }).waitFor();
    // The lines are read again: both invited now.
    await row(deco.name).getByText('Invited', { exact: true }).waitFor();
    // What the line's access is, in its button's name too (a screen reader hears the name only), every type as "All types".
    await row(deco.name).getByRole('button', { name: `Access of ${deco.name}: Company documents and its own; All types; no end date`, exact: true }).waitFor();
    await screenshot(page, 'admin-05-wizard-applied');
  });

  test('the invitations arrive in the SES emulator, the message escaped in the HTML part', async () => {
    for (const person of [deco, brandon]) {
      const mail = await eventually<Email>(
        async () => {
          const found = (await emails()).find((m) => m.destination.to.includes(person.email));
          if (!found) throw new Error(`no invitation to ${person.email} yet`);
          return found;
        },
        { timeoutMs: MAIL_DEADLINE_MS, intervalMs: 250 },
      );
      expect(mail.body.text).toContain(MESSAGE);
      expect(mail.body.html).toContain('Welcome &lt;b&gt;aboard&lt;/b&gt; &amp; &quot;see you&quot;');
      expect(mail.body.html).not.toContain('<b>aboard</b>');
    }
  });

  test('a pending invitation can be sent again from its line, which says so while it waits and after', async () => {
    // With the keyboard, the API slow: the wait is said, then the outcome, and the focus is back on the button.
    await slowly(`${stack().apiUrl}/contacts/${company.id}/portal-access/reinvite`, 'POST');
    await row(deco.name).getByRole('button', { name: `Re-invite ${deco.name}` }).focus();
    await page.keyboard.press('Enter');
    await row(deco.name).getByRole('status').filter({ hasText: `Re-inviting ${deco.name}…` }).waitFor();
    await row(deco.name).getByRole('status').filter({ hasText: 'A fresh invitation was sent' }).waitFor();
    await page.unrouteAll();
    await eventually(async () => expect(await focused()).toBe(`BUTTON Re-invite ${deco.name}`), { timeoutMs: 5_000 });
  });

  test('revoking one line: untick it, Apply, and it says revoked', async () => {
    await page.getByRole('checkbox', { name: `In Portal ${brandon.name}` }).uncheck();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('status').filter({ hasText: 'Applied 1 line.' }).waitFor();
    await row(brandon.name).getByText('Revoked', { exact: true }).first().waitFor();
    expect(await page.getByRole('checkbox', { name: `In Portal ${brandon.name}` }).isChecked()).toBe(false);
    await screenshot(page, 'admin-06-wizard-revoked');
  });

  test('History: the grant and the revocation, newest first, with the acting staff user; a company\'s wizard applies in words', async () => {
    await page.goto(`${adminUrl()}/contacts/${brandon.id}`);
    await heading(brandon.name).waitFor();
    await page.getByRole('link', { name: 'History' }).click();
    await heading(`History: ${brandon.name}`).waitFor();
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    await expect(rows.nth(0).innerText()).resolves.toMatch(new RegExp(`${stack().admin.username}[\\s\\S]*Portal access revoked`));
    await expect(rows.nth(1).innerText()).resolves.toMatch(new RegExp(`${stack().admin.username}[\\s\\S]*Portal access granted`));
    await screenshot(page, 'admin-07-history');

    // The company's history: each apply of its wizard, said in words, with each line's contact and outcome.
    await page.goto(`${adminUrl()}/contacts/${company.id}/history`);
    await heading(`History: ${company.name}`).waitFor();
    const applied = page.locator('tbody tr').filter({ hasText: 'Portal access applied in the wizard' });
    await untilCount(applied, 2);
    await applied.nth(0).getByText(`${brandon.name}: Revoked`).waitFor();
    await applied.nth(1).getByText(`${deco.name}: Granted`).waitFor();
    await applied.nth(1).getByText(`${brandon.name}: Granted`).waitFor();
    await applied.nth(1).getByText('with a message').waitFor();
    await screenshot(page, 'admin-07-company-history');
  });

  test('History says each entry’s details in words: the document as a link, dates as dates, a change of access as before and after — no JSON, no ISO instant, no internal id', async () => {
    const person = await createContact({ kind: 'person', name: 'Ready Mat', email: `${uniq('ready')}@example.com` });
    const staff = async (method: 'PUT' | 'POST', path: string, body: unknown, expected: number) => {
      const res = await api(path, { method, token: staffToken, body });
      expect(res.status).toBe(expected);
      return res;
    };
    await staff('POST', `/contacts/${person.id}/portal-access`, { lines: [{ contactId: person.id, inPortal: true }] }, 200);
    const updated = await staff('POST', `/contacts/${person.id}/portal-access`, { lines: [{ contactId: person.id, inPortal: true, scope: 'own', types: ['invoice', 'ticket'] }] }, 200);
    expect(updated.body.results[0].outcome).toBe('updated');
    const ticket = uniq('T');
    await staff('PUT', `/documents/ticket/${ticket}`, { customerId: company.id, name: 'Chair repair' }, 201);
    await staff('POST', `/documents/ticket/${ticket}/grants`, { contactId: person.id, until: '2031-01-02T03:04:05.000Z' }, 201);
    const own = uniq('SO');
    await staff('PUT', `/documents/sale_order/${own}`, { customerId: person.id, name: 'Own quotation' }, 201);
    const link = await staff('POST', `/documents/sale_order/${own}/links`, { contactId: person.id, maxViews: 3 }, 201);

    await page.goto(`${adminUrl()}/contacts/${person.id}/history`);
    await heading(`History: ${person.name}`).waitFor();
    const entry = (action: string) => page.locator('tbody tr').filter({ has: page.getByRole('cell', { name: action, exact: true }) });
    await untilCount(entry('Share link created'), 1);
    await entry('Portal access changed').getByText('Before: Company documents and its own; All types; no end date').waitFor();
    await entry('Portal access changed').getByText('After: Only its own documents; Invoices, Tickets; no end date').waitFor();
    // The shared document is a link to its page, its end date a date (whatever the time zone, its year and month are these).
    await entry('Document shared').getByRole('link', { name: `Ticket ${ticket}`, exact: true }).waitFor();
    expect(await entry('Document shared').getByRole('link', { name: `Ticket ${ticket}` }).getAttribute('href')).toBe(`/documents/ticket/${ticket}`);
    await entry('Document shared').getByText(/^Until \d+ Jan 2031, \d\d:\d\d:\d\d$/).waitFor();
    await entry('Share link created').getByRole('link', { name: `Sales order ${own}`, exact: true }).waitFor();
    await entry('Share link created').getByText(`For ${person.name}`).waitFor();
    await entry('Share link created').getByText('At most 3 views').waitFor();
    await entry('Portal access granted').getByText(`Email: ${person.email}`).waitFor();
    const details = await page.locator('tbody').innerText();
    expect(details).not.toMatch(/[{}"]/); // no JSON
    expect(details).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/); // no ISO instant
    expect(details).not.toContain((link.body as { id: string }).id); // the link's internal id says nothing to staff
    expect(details).not.toMatch(/\b(documentType|documentId|scope|types|from|to): /); // the API's keys
    await screenshot(page, 'admin-07-history-details');
  });

  test('a list page whose cursor the API refuses (a stale bookmark) is no dead end: `First page` leads to the list — contacts, documents, history', async () => {
    for (const [path, pages, first] of [
      ['/contacts', 'Contacts pages', 'Contacts'],
      ['/documents', 'Documents pages', 'Documents'],
      [`/contacts/${brandon.id}/history`, 'History pages', `History: ${brandon.name}`],
    ] as const) {
      console_.expectApiErrors(400);
      await page.goto(`${adminUrl()}${path}?cursor=not-a-cursor`);
      await page.getByRole('alert').filter({ hasText: 'The cursor is not valid for this listing.' }).waitFor();
      await page.getByRole('navigation', { name: pages }).getByRole('link', { name: 'First page' }).click();
      await page.waitForURL(`${adminUrl()}${path}`);
      await heading(first).waitFor();
      // The first page's rows (a history may have none yet: said so), and no failure.
      await page.locator('tbody tr').or(page.getByText('Nothing has happened to this contact’s portal access yet.')).first().waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
    }
  });

  test('a stale edit says someone else changed the contact, and offers the current version', async () => {
    await page.goto(`${adminUrl()}/contacts/${deco.id}/edit`);
    await heading(`Edit ${deco.name}`).waitFor();
    // Meanwhile someone else changes it.
    const other = await api(`/contacts/${deco.id}`, { method: 'PATCH', token: staffToken, body: { phone: '+31 20 555 0101' } });
    expect(other.status).toBe(200);

    await page.getByLabel('Name').fill('Deco Addict B.V.');
    console_.expectApiErrors(409);
    // A slow answer: the wait is said in a status, and the button keeps its name.
    await slowly(`${stack().apiUrl}/contacts/${deco.id}`, 'PATCH');
    await page.getByRole('button', { name: 'Save' }).click();
    await status('Saving…').waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await page.getByRole('alert').filter({ hasText: 'Changed by someone else' }).waitFor();
    await page.unrouteAll();
    await screenshot(page, 'admin-08-stale-edit');
    expect((await api(`/contacts/${deco.id}`, { token: staffToken })).body.name).toBe(deco.name); // nothing overwritten

    await page.getByRole('button', { name: 'Load the current version' }).click();
    expect(await page.getByLabel('Phone').inputValue()).toBe('+31 20 555 0101');
    await page.getByLabel('Name').fill('Deco Addict B.V.');
    await page.getByRole('button', { name: 'Save' }).click();
    await heading('Deco Addict B.V.').waitFor();
    deco.name = 'Deco Addict B.V.';
    // Its access has every type (the wizard's default): said as the wizard says it, not as "only" a list of all ten.
    const access = page.locator('dl div').filter({ has: page.getByRole('term').filter({ hasText: 'Portal access' }) }).getByRole('definition');
    await expect(access.innerText()).resolves.toMatch(/^Invited\b.*All types/);
    expect(await access.innerText()).not.toContain('only');
  });

  test('a line that fails keeps what was ticked and typed on it once the lines are read again, to be corrected', async () => {
    await page.goto(`${adminUrl()}/contacts/${company.id}/portal-access`);
    await heading(`Grant portal access: ${company.name}`).waitFor();
    // The company itself, with the email of Deco's portal login: that line fails alone.
    await page.getByLabel(`Email ${company.name}`).fill(deco.email);
    await page.getByRole('checkbox', { name: `In Portal ${company.name}` }).check();
    const reread = page.waitForResponse((res) => res.request().method() === 'GET' && new URL(res.url()).pathname === `/contacts/${company.id}/portal-access`);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('status').filter({ hasText: 'Applied 1 line, 1 failed.' }).waitFor();
    await row(company.name).getByText(/^Failed: /).waitFor();
    await reread;
    // The fresh lines have arrived and are shown (the edits of a line that went through are dropped then).
    await page.waitForTimeout(500);
    expect(await page.getByRole('checkbox', { name: `In Portal ${company.name}` }).isChecked()).toBe(true);
    expect(await page.getByLabel(`Email ${company.name}`).inputValue()).toBe(deco.email);
    await row(company.name).getByText(/^Failed: /).waitFor();
    expect((await api(`/contacts/${company.id}`, { token: staffToken })).body.portal.status).toBe('none'); // nothing was done
  });

  test('a document: its grants (add and remove), who has access, why a contact sees it or not, a share link (create, copy, revoke), and an attachment upload', async () => {
    await page.goto(`${adminUrl()}/documents?customerId=${company.id}`);
    await page.getByRole('link', { name: invoice.name }).click();
    await heading(invoice.name).waitFor();
    for (const name of ['Grants', 'Who has access', 'Share links', 'Attachments']) await heading(name, 2).waitFor();
    // Each section is found by its name as text too, once: an empty section's sentence does not repeat it.
    await page.getByRole('region', { name: 'Share links' }).getByText('No link has been made for this document yet.').waitFor();
    await page.getByRole('region', { name: 'Attachments' }).getByText('No file is attached yet.').waitFor();
    for (const name of ['Share links', 'Attachments']) await page.getByText(name).waitFor();
    // Who has access, with the reason; and found by its name as text too (a column must not repeat it).
    await page.getByRole('region', { name: 'Who has access' }).getByRole('row').filter({ hasText: deco.name }).getByText('its company is the customer').waitFor();
    await page.getByText('Who has access', { exact: true }).waitFor();
    // Why can Deco see it? Not yet: the company's reason counts, the pending invitation stops it.
    const why = page.getByRole('region', { name: 'Why can a contact see this?' });
    // Brandon first, his answer slow; then Deco: Brandon's late answer must not replace Deco's.
    await page.route(`${stack().apiUrl}/contacts/${brandon.id}/portal-access/explain**`, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await route.continue();
    });
    const late = page.waitForResponse((response) => response.url().includes(`/contacts/${brandon.id}/portal-access/explain`));
    await why.getByLabel('Contact to explain').fill(brandon.email);
    await why.getByRole('button', { name: `Explain for ${brandon.name}` }).click();
    await why.getByLabel('Contact to explain').fill(deco.email);
    await why.getByRole('button', { name: `Explain for ${deco.name}` }).click();
    const explanation = why.getByRole('status');
    await explanation.getByText(`${deco.name} does not see this document now.`).waitFor();
    await late;
    await page.unrouteAll();
    await page.waitForTimeout(200);
    expect(await explanation.textContent()).not.toContain(brandon.name);
    await explanation.getByText(`${deco.name} does not see this document now.`).waitFor();
    await explanation.getByText('its company is the customer').waitFor();
    await explanation.getByText(/invitation/i).waitFor();

    // A search that fails says so (as the API explained it), not "no contact starts like this".
    const outsider = await createContact({ kind: 'person', name: `Outsider ${uniq('o')}` });
    const grants = page.getByRole('region', { name: 'Grants' });
    await page.route((url) => url.origin === new URL(stack().apiUrl).origin && url.pathname === '/contacts' && url.searchParams.has('q'), (route) =>
      route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'Try again in a moment.' }) }),
    );
    console_.expectApiErrors(503);
    await grants.getByLabel('Share with').fill(outsider.name);
    await grants.getByRole('alert').filter({ hasText: 'Service Unavailable' }).getByText('Try again in a moment.').waitFor();
    expect(await grants.getByText('No contact starts like this.').count()).toBe(0);
    await page.unrouteAll();

    // Shared with one more contact, with the keyboard, then no longer: each step says what it does, then
    // what came of it, and the focus stays on the page (back in the field; on the news when the row is gone).
    await grants.getByLabel('Share with').fill('');
    await grants.getByLabel('Share with').fill(outsider.name);
    await slowly(`${stack().apiUrl}/documents/invoice/${invoice.id}/grants**`, 'POST');
    await page.getByRole('button', { name: `Share with ${outsider.name}` }).focus();
    await page.keyboard.press('Enter');
    await status(`Sharing with ${outsider.name}…`).waitFor();
    await status(`Shared with ${outsider.name}.`).waitFor();
    await page.getByRole('button', { name: `Remove ${outsider.name}` }).waitFor();
    await eventually(async () => expect(await focused()).toBe('INPUT share-with'), { timeoutMs: 5_000 });
    await screenshot(page, 'admin-09-document');
    await page.getByRole('button', { name: `Remove ${outsider.name}` }).focus();
    await page.keyboard.press('Enter');
    await status(`No longer shared with ${outsider.name}.`).waitFor();
    await page.getByRole('button', { name: `Remove ${outsider.name}` }).waitFor({ state: 'detached' });
    await page.unrouteAll();
    await eventually(async () => expect(await focused()).toBe('DIV'), { timeoutMs: 5_000 }); // the news: `No longer shared with …`

    // A share link with a maximum of views: its URL shown once and copied, then revoked — dead at once.
    const links = page.getByRole('region', { name: 'Share links' });
    await links.getByLabel('Maximum views (optional)').fill('3');
    await slowly(`${stack().apiUrl}/documents/invoice/${invoice.id}/links`, 'POST');
    await links.getByRole('button', { name: 'Create share link' }).click();
    await links.getByRole('status').filter({ hasText: 'Creating the link…' }).waitFor();
    await links.getByRole('status').filter({ hasText: 'The link is made' }).waitFor();
    await page.unrouteAll();
    const url = await links.getByLabel('The new link (shown only now)').inputValue();
    expect(url).toMatch(new RegExp(`^${stack().portalUrl}/s/[A-Za-z0-9_-]{43,}$`));
    await links.getByRole('button', { name: 'Copy', exact: true }).click();
    await links.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(url);
    await links.getByRole('cell', { name: '0 / 3', exact: true }).waitFor();
    await screenshot(page, 'admin-10-share-link');
    await links.getByRole('button', { name: 'Revoke link 1' }).click();
    await links.getByRole('status').filter({ hasText: 'Link 1 is revoked' }).waitFor();
    await links.getByText(/^revoked /).waitFor();
    const token = url.split('/s/')[1]!;
    expect((await api(`/shared/${token}`)).status).toBe(410);

    // Attachments, when the API offers them (the attachments issue): a PDF through the presigned PUT, with progress, then completed.
    const openApi = (await api('/openapi.json')).body as { paths: Record<string, unknown> };
    const attachments = page.getByRole('region', { name: 'Attachments' });
    if (openApi.paths['/documents/{type}/{id}/attachments']) {
      await page.getByLabel('File').setInputFiles({ name: 'invoice-0042.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% the invoice\n%%EOF\n') });
      // With the keyboard: the outcome is said, and the focus is back on `Upload`, not lost with its disabling.
      await attachments.getByRole('button', { name: 'Upload' }).focus();
      await page.keyboard.press('Enter');
      await attachments.getByRole('status').filter({ hasText: 'invoice-0042.pdf is attached.' }).waitFor();
      await eventually(async () => expect(await focusedText()).toBe('Upload'), { timeoutMs: 5_000 });
      await attachments.getByRole('button', { name: 'Delete invoice-0042.pdf' }).waitFor();
      const listed = await api(`/documents/invoice/${invoice.id}/attachments`, { token: staffToken });
      expect(listed.body.items).toEqual([expect.objectContaining({ fileName: 'invoice-0042.pdf', contentType: 'application/pdf' })]);
      await screenshot(page, 'admin-11-document-attachments');
      await attachments.getByRole('button', { name: 'Delete invoice-0042.pdf' }).click();
      await attachments.getByRole('status').filter({ hasText: 'invoice-0042.pdf is deleted.' }).waitFor();
      await attachments.getByText('No file is attached yet.').waitFor();
    } else {
      await attachments.getByText('This API does not offer this yet.').waitFor();
      await screenshot(page, 'admin-11-document-attachments');
    }
  });

  test('why a contact sees a document through a grant: what does not open it is not said to stop it', async () => {
    // An active contact of no company, given the company's invoice: the grant opens it, the customer route does not.
    const reader = await createPortalUser({ name: `Granted Reader ${uniq('g')}`, email: `${uniq('reader')}@example.com` });
    expect((await api(`/documents/invoice/${invoice.id}/grants`, { method: 'POST', token: staffToken, body: { contactId: reader.contact.id } })).status).toBe(201);
    await page.goto(`${adminUrl()}/documents/invoice/${invoice.id}`);
    const why = page.getByRole('region', { name: 'Why can a contact see this?' });
    await why.getByLabel('Contact to explain').fill(reader.email);
    await why.getByRole('button', { name: `Explain for ${reader.contact.name}` }).click();
    const explanation = why.getByRole('status');
    await explanation.getByText(`${reader.contact.name} sees this document now.`).waitFor();
    await explanation.getByText(/^shared with it/).waitFor();
    // The API lists the customer route's blocker too; it stops nothing here.
    await explanation.getByText('The document belongs to another customer than the contact or its company.').waitFor();
    expect(await explanation.getByRole('heading', { name: 'What stops it' }).count()).toBe(0);
    await explanation.getByRole('heading', { name: 'What does not open it', level: 3 }).waitFor();
  });

  test('a grant that ended is listed "ended" for its kept while, and its contact can be given it again from `Share with`', async () => {
    // The ended grant stays listed (expired: true) for EXPIRED_GRANT_KEPT_SECONDS (the test stack: 6 s) after its end.
    const returning = await createContact({ kind: 'person', name: `Returning ${uniq('r')}` });
    const until = new Date(Date.now() + 1_500).toISOString();
    const given = await api(`/documents/invoice/${invoice.id}/grants`, { method: 'POST', token: staffToken, body: { contactId: returning.id, until } });
    expect(given.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(until) - Date.now() + 100));
    await page.goto(`${adminUrl()}/documents/invoice/${invoice.id}`);
    const grants = page.getByRole('region', { name: 'Grants' });
    await grants.getByRole('row').filter({ hasText: returning.name }).getByText('ended').waitFor();
    // Given again (no end): the picker offers the contact, the API answers the grant as current.
    await grants.getByLabel('Share with').fill(returning.name);
    await page.getByRole('button', { name: `Share with ${returning.name}` }).click();
    await status(`Shared with ${returning.name}.`).waitFor();
    const listed = await api(`/documents/invoice/${invoice.id}/grants`, { token: staffToken });
    expect(listed.body.items.find((g: { contactId: string }) => g.contactId === returning.id)).toEqual({ contactId: returning.id, implicit: false, grantedBy: `staff:${stack().admin.username}`, grantedAt: expect.any(String) });
    await page.getByRole('button', { name: `Remove ${returning.name}` }).waitFor();
    expect(await grants.getByRole('row').filter({ hasText: returning.name }).getByText('ended').count()).toBe(0);
  });

  test('a share link until the last date its expiry field offers (90 days ahead) is made, ending no later than the API allows', async () => {
    await page.goto(`${adminUrl()}/documents/invoice/${invoice.id}`);
    const links = page.getByRole('region', { name: 'Share links' });
    const field = links.getByLabel('Expires on');
    await field.fill((await field.getAttribute('max'))!);
    await links.getByRole('button', { name: 'Create share link' }).click();
    await links.getByRole('status').filter({ hasText: 'The link is made' }).waitFor();
    const made = (await api(`/documents/invoice/${invoice.id}/links`, { token: staffToken })).body.items[0] as { expiresAt: string };
    expect(Date.parse(made.expiresAt)).toBeGreaterThan(Date.now() + 89 * 24 * 3600 * 1000);
    expect(Date.parse(made.expiresAt)).toBeLessThanOrEqual(Date.now() + 90 * 24 * 3600 * 1000);
  });

  test('a link whose recipient was archived since reads as no longer opening the document, not `live`', async () => {
    const id = uniq('INV');
    expect((await api(`/documents/invoice/${id}`, { method: 'PUT', token: staffToken, body: { customerId: company.id, name: 'Invoice shared by link' } })).status).toBe(201);
    const recipient = await createContact({ kind: 'person', name: `Link recipient ${uniq('p')}` });
    expect((await api(`/documents/invoice/${id}/links`, { method: 'POST', token: staffToken, body: { contactId: recipient.id } })).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 5)); // listed newest first, by creation time
    expect((await api(`/documents/invoice/${id}/links`, { method: 'POST', token: staffToken, body: {} })).status).toBe(201);
    expect((await api(`/contacts/${recipient.id}`, { method: 'DELETE', token: staffToken })).status).toBe(204);
    await page.goto(`${adminUrl()}/documents/invoice/${id}`);
    const rows = page.getByRole('region', { name: 'Share links' }).getByRole('row');
    await rows.nth(1).getByRole('cell', { name: 'live', exact: true }).waitFor();
    await rows.nth(2).getByRole('cell', { name: /^no longer opens/ }).waitFor();
    expect(await rows.nth(2).getByRole('cell', { name: 'live', exact: true }).count()).toBe(0);
  });

  test('archiving with the keyboard: the question takes the focus, Escape gives it back to Archive, and the outcome is said', async () => {
    const leaving = await createContact({ kind: 'company', name: `Leaving ${uniq('co')}` });
    await page.goto(`${adminUrl()}/contacts/${leaving.id}`);
    await heading(leaving.name).waitFor();
    await page.getByRole('button', { name: 'Archive', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('alertdialog').waitFor();
    await eventually(async () => expect(await focusedText()).toBe('Cancel'), { timeoutMs: 5_000 });
    await page.keyboard.press('Escape');
    await page.getByRole('alertdialog').waitFor({ state: 'detached' });
    await eventually(async () => expect(await focusedText()).toBe('Archive'), { timeoutMs: 5_000 });

    await page.keyboard.press('Enter');
    await eventually(async () => expect(await focusedText()).toBe('Cancel'), { timeoutMs: 5_000 });
    await page.keyboard.press('Shift+Tab');
    expect(await focusedText()).toBe('Yes, archive');
    await slowly(`${stack().apiUrl}/contacts/${leaving.id}`, 'DELETE');
    await page.keyboard.press('Enter');
    await status('Archiving…').waitFor();
    await status('Archived. Its portal access is revoked.').waitFor();
    await page.unrouteAll();
    await page.getByRole('button', { name: 'Restore' }).waitFor();
    // The Archive button is gone with the archiving: the focus is on the news, not lost.
    await eventually(async () => expect(await focused()).toBe('DIV'), { timeoutMs: 5_000 });
    // Listed as archived: its name and the tag are two words, also to a screen reader (not "…archived" run together).
    await page.goto(`${adminUrl()}/contacts?archived=true&q=${encodeURIComponent(leaving.name)}`);
    await page.getByRole('cell', { name: `${leaving.name} archived`, exact: true }).waitFor({ timeout: 10_000 });
  });

  test('a file whose upload was not completed is listed with its tag as words of their own, not run into its size', async () => {
    const id = uniq('INV');
    expect((await api(`/documents/invoice/${id}`, { method: 'PUT', token: staffToken, body: { customerId: company.id, name: 'Invoice with a pending file' } })).status).toBe(201);
    // Announced, never uploaded: the console lists it as not completed.
    expect((await api(`/documents/invoice/${id}/attachments`, { method: 'POST', token: staffToken, body: { fileName: 'half.pdf', contentType: 'application/pdf', size: 2048 } })).status).toBe(201);
    await page.goto(`${adminUrl()}/documents/invoice/${id}`);
    const files = page.getByRole('region', { name: 'Attachments' }).getByRole('listitem');
    await files.filter({ hasText: 'half.pdf' }).waitFor();
    // The text a screen reader reads (the layout's line breaks aside).
    expect(((await files.filter({ hasText: 'half.pdf' }).textContent()) ?? '').replace(/\s+/g, ' ')).toContain('2.0 KB upload not completed');
  });

  test('who has access past its first page: a company of 52 persons with access lists 50, and `More contacts with access` shows the rest', async () => {
    const big = await createContact({ kind: 'company', name: `Gemini Furniture ${uniq('co')}` });
    const persons = await Promise.all(
      Array.from({ length: 52 }, (_, i) => createContact({ kind: 'person', name: `Person ${String(i).padStart(2, '0')}`, email: `${uniq('p')}@example.com`, companyId: big.id })),
    );
    const apply = await api(`/contacts/${big.id}/portal-access`, { method: 'POST', token: staffToken, body: { lines: persons.map((p) => ({ contactId: p.id, inPortal: true })) } });
    expect(apply.status).toBe(200);
    const doc = { id: uniq('INV'), name: `Invoice ${uniq('big')}` };
    expect((await api(`/documents/invoice/${doc.id}`, { method: 'PUT', token: staffToken, body: { customerId: big.id, name: doc.name } })).status).toBe(201);

    await page.goto(`${adminUrl()}/documents/invoice/${encodeURIComponent(doc.id)}`);
    const who = page.getByRole('region', { name: 'Who has access' });
    const rows = who.getByRole('row').filter({ hasText: 'its company is the customer' });
    await who.getByRole('row').filter({ hasText: 'Person 49' }).waitFor();
    expect(await rows.count()).toBe(50);
    await who.getByRole('button', { name: 'More contacts with access' }).click();
    await status('2 more contacts shown.').waitFor();
    expect(await rows.count()).toBe(52);
    await who.getByRole('row').filter({ hasText: 'Person 51' }).waitFor();
    await expect(who.getByRole('button', { name: 'More contacts with access' }).count()).resolves.toBe(0);

    // The company's persons, 25 a page: `Next page` with the keyboard takes the focus to the next page's content, not to nothing.
    await page.goto(`${adminUrl()}/contacts?companyId=${big.id}`);
    await page.getByRole('link', { name: 'Person 24' }).waitFor();
    await page.getByRole('link', { name: 'Next page' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/cursor=/);
    await page.getByRole('link', { name: 'Person 49' }).waitFor();
    expect(await focused()).toBe('MAIN main');
  });

  test('the wizard of a contact with a long unbroken name still fits the page: its `In Portal` checkbox and `Outcome` are in view', async () => {
    const long = await createContact({ kind: 'company', name: `Holding${'International'.repeat(12)}BV` });
    await page.goto(`${adminUrl()}/contacts/${long.id}/portal-access`);
    const box = page.getByRole('checkbox', { name: `In Portal ${long.name}` });
    await box.waitFor();
    await screenshot(page, 'admin-13-wizard-long-name');
    const viewport = page.viewportSize()!.width;
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    const checkbox = (await box.boundingBox())!;
    expect(checkbox.x + checkbox.width).toBeLessThanOrEqual(viewport);
    const outcome = (await page.getByRole('columnheader', { name: 'Outcome' }).boundingBox())!;
    expect(outcome.x + outcome.width).toBeLessThanOrEqual(viewport);
  });

  test('long unbroken names keep every column in view: the contacts and documents lists, and a grant’s `Remove`', async () => {
    const long = await createContact({ kind: 'company', name: `Trading${'Consolidated'.repeat(14)}Ltd` });
    const person = await createContact({ kind: 'person', name: `Anna${'Maria'.repeat(30)}Smith`, email: `${uniq('anna')}@example.com`, companyId: long.id });
    const id = uniq('INV');
    const doc = { customerId: long.id, name: `Invoice${'Quarterly'.repeat(20)}`, reference: `INV/${'0123456789'.repeat(15)}`, date: '2026-03-01', amount: 990, currency: 'EUR' };
    expect((await api(`/documents/invoice/${id}`, { method: 'PUT', token: staffToken, body: doc })).status).toBe(201);
    expect((await api(`/documents/invoice/${id}/grants`, { method: 'POST', token: staffToken, body: { contactId: person.id } })).status).toBe(201);
    const viewport = page.viewportSize()!.width;
    /** The right edge of every cell of the page's tables, and how far each table's box scrolls sideways. */
    const layout = async () =>
      (await page.evaluate(`({
        overflow: Math.max(0, ...[...document.querySelectorAll('.scroll')].map((box) => box.scrollWidth - box.clientWidth)),
        rights: [...document.querySelectorAll('tbody td, tbody th')].map((cell) => Math.round(cell.getBoundingClientRect().right)),
      })`)) as { overflow: number; rights: number[] };
    const inView = async () => {
      const { overflow, rights } = await layout();
      expect(overflow).toBeLessThanOrEqual(0);
      expect(rights.length).toBeGreaterThan(0);
      for (const right of rights) expect(right).toBeLessThanOrEqual(viewport);
    };

    await page.goto(`${adminUrl()}/contacts?companyId=${long.id}`);
    await page.getByRole('link', { name: person.name }).waitFor();
    await screenshot(page, 'admin-14-contacts-long-names');
    await inView();

    await page.goto(`${adminUrl()}/documents?customerId=${long.id}`);
    await page.getByRole('link', { name: doc.name }).waitFor();
    await inView();

    await page.goto(`${adminUrl()}/documents/invoice/${id}`);
    const remove = page.getByRole('button', { name: `Remove ${person.name}` });
    await remove.waitFor();
    await screenshot(page, 'admin-15-document-long-names');
    const box = (await remove.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(viewport);
    await inView();
  });

  test('on a phone-wide screen a document with a share link does not scroll sideways: the links table scrolls in its own box', async () => {
    const id = uniq('INV');
    expect((await api(`/documents/invoice/${id}`, { method: 'PUT', token: staffToken, body: { customerId: company.id, name: 'Invoice on a phone' } })).status).toBe(201);
    expect((await api(`/documents/invoice/${id}/links`, { method: 'POST', token: staffToken, body: {} })).status).toBe(201);
    const before = page.viewportSize()!;
    await page.setViewportSize({ width: 375, height: 800 });
    try {
      await page.goto(`${adminUrl()}/documents/invoice/${id}`);
      await page.getByRole('region', { name: 'Share links' }).getByRole('button', { name: 'Revoke link 1' }).waitFor();
      await screenshot(page, 'admin-16-document-phone');
      expect(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    } finally {
      await page.setViewportSize(before);
    }
  });

  test('on a phone-wide screen the wizard’s names wrap between their words, not inside one (“Brando|n Freema|n”); the table scrolls in its own box', async () => {
    const before = page.viewportSize()!;
    await page.setViewportSize({ width: 375, height: 800 });
    try {
      await page.goto(`${adminUrl()}/contacts/${company.id}/portal-access`);
      await page.getByRole('checkbox', { name: `In Portal ${brandon.name}` }).waitFor();
      await screenshot(page, 'admin-17-wizard-phone');
      // How many lines each word of each line's name takes (a word broken inside takes two).
      const lines = await wordLines(page, '.wizard tbody th');
      // Every line whose words are of a name's length (the company's name ends in a test tag, longer than a phone's column).
      const names = await page.locator('.wizard tbody th').allTextContents();
      const plain = names.map((name, i) => ({ name, words: lines[i] ?? [0] })).filter(({ name }) => name.split(' ').every((word) => word.length <= 12));
      expect(plain.map(({ name }) => name)).toEqual(expect.arrayContaining([brandon.name]));
      for (const { words } of plain) expect(words.every((n) => n === 1)).toBe(true);
      expect(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    } finally {
      await page.setViewportSize(before);
    }
  });

  test('an address naming no document type or portal status is treated as unknown, also one named like what every JavaScript object has', async () => {
    for (const type of ['bogus', 'constructor', 'toString']) {
      await page.goto(`${adminUrl()}/documents/${type}/${invoice.id}`);
      await heading('Page not found').waitFor();
      // A filter of no known type lists every document, as the filter's `Any type` says.
      await page.goto(`${adminUrl()}/documents?customerId=${company.id}&type=${type}`);
      await page.getByRole('link', { name: invoice.name }).waitFor();
      await page.goto(`${adminUrl()}/contacts?companyId=${company.id}&portalStatus=${type}`);
      await page.getByRole('link', { name: deco.name }).waitFor();
    }
  });

  test('a contact or a document whose id the address mangled is "not found"; a failing API is named in the tab’s title as on the page, not "not found"', async () => {
    for (const [path, title] of [
      [`/contacts/${encodeURIComponent(' ')}`, 'Contact not found'],
      [`/documents/invoice/${encodeURIComponent('a<b')}`, 'Document not found'],
    ] as const) {
      console_.expectApiErrors(400); // the API refuses to look such an id up
      await page.goto(`${adminUrl()}${path}`);
      await heading(title, 2).waitFor();
      expect(await page.title()).toBe(`${title} – Portal admin`);
      expect(await page.getByText('Invalid request').count()).toBe(0);
    }
    // The API fails (a 500): the page says what the API said, and so does the tab.
    await page.route(`${stack().apiUrl}/contacts/${deco.id}`, (route) =>
      route.request().method() === 'GET'
        ? route.fulfill({
            status: 500,
            contentType: 'application/problem+json',
            headers: { 'access-control-allow-origin': new URL(adminUrl()).origin },
            body: JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'Please try again later.' }),
          })
        : route.fallback(),
    );
    console_.expectApiErrors(500);
    await page.goto(`${adminUrl()}/contacts/${deco.id}`);
    await heading('Internal Server Error', 2).waitFor();
    expect(await page.title()).toBe('Internal Server Error – Portal admin');
    await page.unrouteAll();
  });

  test('the wizard, the edit form and the history of a contact that does not exist say "Contact not found", as its page does — not a history titled with the address’s id', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    // [page, the API's 404s it meets: the contact, and the wizard's lines or the trail]
    for (const [path, refusals] of [['portal-access', 2], ['edit', 1], ['history', 2]] as const) {
      console_.expectApiErrors(...Array<number>(refusals).fill(404));
      await page.goto(`${adminUrl()}/contacts/${unknown}/${path}`);
      await heading('Contact not found', 2).waitFor();
      await page.getByText('There is no contact with this id.').waitFor();
      expect(await page.title()).toBe('Contact not found – Portal admin');
      expect(await page.getByText(unknown).count()).toBe(0);
      expect(await page.getByText('No such contact.').count()).toBe(0);
    }
  });

  test("the access editor shows what the line's contact sees: every type ticked without a limit; narrowed to one, which cannot be unticked", async () => {
    const narrow = await createContact({ kind: 'company', name: `Narrow Types ${uniq('co')}` });
    const granted = await api(`/contacts/${narrow.id}/portal-access`, { method: 'POST', token: await adminToken(), body: { lines: [{ contactId: narrow.id, inPortal: true, email: `${uniq('narrow')}@example.com` }] } });
    expect(granted.body.results[0].outcome).toBe('granted');
    await page.goto(`${adminUrl()}/contacts/${narrow.id}/portal-access`);
    const access = (summary: string) => row(narrow.name).getByRole('button', { name: `Access of ${narrow.name}: ${summary}`, exact: true });
    await access('Company documents and its own; All types; no end date').click();
    const types = row(narrow.name).getByRole('group', { name: `Document types ${narrow.name}` }).getByRole('checkbox');
    expect(await types.count()).toBe(10);
    for (const box of await types.all()) expect(await box.isChecked()).toBe(true);
    const invoices = row(narrow.name).getByRole('checkbox', { name: 'Invoices', exact: true });
    for (const box of await types.all()) if (!(await box.evaluate((el, other) => el === other, await invoices.elementHandle()))) await box.uncheck();
    expect(await invoices.isChecked()).toBe(true);
    expect(await invoices.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('status').filter({ hasText: 'Applied 1 line.' }).waitFor();
    await row(narrow.name).getByText('Updated', { exact: true }).waitFor();
    await access('Company documents and its own; Invoices; no end date').waitFor();
  });

  test('a staff user outside portal-admins sees "not allowed", not a broken page', async () => {
    const username = uniq('clerk');
    const password = 'Clerk-Browser-Pw-7!';
    await createStaffUser(username, password, { admin: false });
    const own = await browser.newContext({ viewport: { width: 1200, height: 700 } });
    try {
      const clerk = await own.newPage();
      const clerkConsole = watch(clerk, stack().apiUrl);
      await clerk.goto(adminUrl());
      clerkConsole.expectApiErrors(403);
      await signIn(clerk, username, password);
      await clerk.getByRole('heading', { name: 'Not allowed', level: 2 }).waitFor();
      await clerk.getByText('not a portal admin').waitFor();
      expect(await clerk.getByRole('table').count()).toBe(0);
      await clerk.getByRole('button', { name: 'Sign out' }).waitFor();
      await screenshot(clerk, 'admin-12-not-allowed');
      expect(clerkConsole.errors).toEqual([]);
    } finally {
      await own.close();
    }
  });

  test('Sign out drops the tokens here and revokes the refresh token: a copy taken before renews nothing', async () => {
    await page.goto(`${adminUrl()}/contacts`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const stored = (await page.evaluate(`Object.keys(sessionStorage).filter((k) => k.startsWith('oidc.user:')).map((k) => JSON.parse(sessionStorage.getItem(k)).refresh_token)`)) as string[];
    expect(stored).toEqual([expect.any(String)]);
    const renew = () =>
      fetch(`${stack().hostedUiUrl}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: stack().staffClientId, refresh_token: stored[0]! }).toString(),
      });
    expect((await renew()).status).toBe(200); // it works while signed in
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(`Object.keys(sessionStorage).filter((k) => k.startsWith('oidc.user:')).length`)).toBe(0);
    const after = await renew();
    expect(after.status).toBe(400);
    expect(await after.json()).toEqual({ error: 'invalid_grant' });
  });

  /** A tab of `chrome` (a context of its own) signed in as the stack's admin, on the contacts: the tab and its console. */
  async function staffSignedIn(chrome: Browser) {
    const tab = await (await chrome.newContext({ viewport: { width: 1200, height: 700 } })).newPage();
    const tabConsole = watch(tab, stack().apiUrl);
    await tab.goto(adminUrl());
    await signIn(tab, stack().admin.username, stack().admin.password);
    await tab.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();
    return { tab, tabConsole };
  }

  test('after Sign out, Back shows nothing of the contacts, not even the page a real Chrome keeps in its back/forward cache', async () => {
    const cached = await launchBrowserWithBackForwardCache();
    try {
      const { tab, tabConsole } = await staffSignedIn(cached);
      await tab.goto(`${adminUrl()}/contacts/${deco.id}`);
      await tab.getByRole('heading', { level: 1, name: deco.name }).waitFor();
      await tab.getByText(deco.email).waitFor();

      await tab.getByRole('button', { name: 'Sign out' }).click();
      await tab.waitForURL(`${adminUrl()}/`);
      await tab.getByRole('button', { name: 'Sign in' }).waitFor();
      // Back: the contact's page, as the browser kept it, would show the contact to whoever sits down next.
      await tab.goBack({ waitUntil: 'commit' });
      await tab.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 10_000 });
      expect(new URL(tab.url()).pathname).toBe(`/contacts/${deco.id}`); // Back went to the contact's address
      expect(await tab.getByText(deco.email).count()).toBe(0);
      expect(await tab.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      expect(tabConsole.errors).toEqual([]);
    } finally {
      await cached.close();
    }
  });

  test('Back right after signing in (the staff hosted UI, its session still on, answers at once with a new code for the used-up sign-in) stays signed in on the contacts, not "Sign-in did not complete"', async () => {
    const own = await browser.newContext({ viewport: { width: 1200, height: 850 } });
    try {
      const tab = await own.newPage();
      const tabConsole = watch(tab, stack().apiUrl);
      await tab.goto(adminUrl());
      await signIn(tab, stack().admin.username, stack().admin.password);
      await tab.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();

      await tab.goBack();
      await tab.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor({ timeout: 10_000 });
      expect(new URL(tab.url()).pathname).toBe('/');
      await tab.getByRole('button', { name: 'Sign out' }).waitFor();
      expect(await tab.getByText('Sign-in did not complete').count()).toBe(0);
      expect(tabConsole.errors).toEqual([]);
    } finally {
      await own.close();
    }
  });

  test('Back past the staff hosted UI to the start page a real Chrome kept from before the sign-in shows the contacts, signed in, not `Sign in`', async () => {
    const cached = await launchBrowserWithBackForwardCache();
    try {
      const { tab, tabConsole } = await staffSignedIn(cached);

      await backTwicePastHostedUi(tab, 'Contacts');
      expect(tabConsole.errors).toEqual([]);
    } finally {
      await cached.close();
    }
  });

  test('every page is served with a strict Content-Security-Policy and no inline script; the first load is at most 100 KB of JavaScript (gzip)', async () => {
    for (const path of ['/', '/contacts/x', '/contacts/x/portal-access', '/documents/invoice/x']) {
      const res = await fetch(adminUrl() + path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain(`connect-src 'self' ${new URL(stack().apiUrl).origin} ${new URL(stack().hostedUiUrl).origin}`);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await res.text()).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    }
    const config = (await (await fetch(`${adminUrl()}/config.json`)).json()) as Record<string, unknown>;
    expect(config).toMatchObject({ apiUrl: stack().apiUrl, clientId: stack().staffClientId, userPoolId: stack().staffUserPoolId, hostedUiUrl: stack().hostedUiUrl });

    const first = firstLoadJs(distOf('admin'));
    console.log(`admin first load: ${(first.gzipBytes / 1024).toFixed(1)} KB of JavaScript (gzip) in ${first.files.length} file(s)`);
    expect(first.files.length).toBeGreaterThan(0);
    expect(first.gzipBytes).toBeLessThanOrEqual(100 * 1024);
  });
});
