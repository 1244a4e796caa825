/**
 * The customer portal in a real (headless) Chromium: the whole story as a customer lives it. Staff
 * publish documents and grant access through the API; the invitation is read from the SES emulator;
 * its link is opened, the password chosen with the keyboard only, sign-in goes through the hosted-UI
 * stand-in (authorization code + PKCE), the home page shows the name and the counters, a list pages
 * through the API's cursor, a document opens at its own URL; staff revoke, and the next navigation
 * (in-app, then a reload) says the access ended; sign-out ends the hosted UI's session too. Then the
 * unusable links, and a share link opened without sign-in (its file too) until staff revoke it. A document's file
 * downloads with its button (Playwright's download event: the bytes staff uploaded, under their file
 * name). No console error anywhere (support/browser.ts); a screenshot of every page.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { distOf, firstLoadJs } from '../../web/build/dist';
import { backTwicePastHostedUi, launchBrowser, launchBrowserWithBackForwardCache, screenshot, watch, wordLines, type ConsoleWatch } from './support/browser';
import { AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { reissued } from './support/principals';
import { createContact, createPortalUser } from './support/portal-users';
import { adminToken, api, cognito, emails, eventually, mailsTo, stack, uniq } from './support/stack';

// One browser and one stack for the file; a real browser on a shared 2-core machine needs time.
jest.setTimeout(120_000);

const PASSWORD = 'Portal-Browser-Pw-7!';
const INVOICES = 21; // one more than a page (20): the list must page

let browser: Browser;
let context: BrowserContext;
let page: Page;
let console_: ConsoleWatch;
let staffToken: string;
let company: { id: string; name: string };
let person: { id: string; name: string; email: string };
let invitationLink: string;
/** The PDF staff attach to "Invoice 01" (a name outside ASCII: the download must keep it). */
const PDF = { fileName: 'Facture été 0001.pdf', bytes: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('portal browser test '.repeat(50))]) };

const portalUrl = () => stack().portalUrl;
const staff = async (path: string, body: unknown, method = 'POST') => {
  const res = await api(path, { method, body, token: staffToken });
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${res.text}`);
  return res;
};

/** Presses Tab until the element with this id has the focus: the keyboard, nothing else. */
async function tabTo(id: string): Promise<void> {
  for (let i = 0; i < 15; i++) {
    if ((await page.evaluate('document.activeElement && document.activeElement.id')) === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached #${id}`);
}

const heading = (name: string | RegExp, level = 1) => page.getByRole('heading', { level, name });
/** The id of the element with the focus (`main`: the page's content; '' when the focus was lost to the body). */
const focusedId = async () => (await page.evaluate('document.activeElement ? document.activeElement.id : ""')) as string;

/** Staff attach the PDF: announce, the presigned PUT, complete. */
async function attach(document: string): Promise<void> {
  const ticket = (await staff(`${document}/attachments`, { fileName: PDF.fileName, contentType: 'application/pdf', size: PDF.bytes.length })).body as { id: string; uploadUrl: string };
  const put = await fetch(ticket.uploadUrl, { method: 'PUT', body: PDF.bytes, headers: { 'content-type': 'application/pdf' } });
  if (put.status !== 200) throw new Error(`upload → ${put.status}`);
  await staff(`${document}/attachments/${ticket.id}/complete`, {});
}

beforeAll(async () => {
  staffToken = await adminToken();
  company = await createContact({ kind: 'company', name: `Azure Interior ${uniq('co')}` });
  const email = `${uniq('deco')}@example.com`;
  const created = await createContact({ kind: 'person', name: 'Deco Addict', email, companyId: company.id });
  person = { id: created.id, name: created.name, email };
  // The company's documents: invoices on consecutive days (newest last), two quotations, and one of another company.
  for (let day = 1; day <= INVOICES; day++) {
    const id = uniq('INV');
    await staff(`/documents/invoice/${id}`, {
      customerId: company.id,
      name: `Invoice ${String(day).padStart(2, '0')}`,
      reference: `INV/2026/${String(day).padStart(4, '0')}`,
      date: `2026-01-${String(day).padStart(2, '0')}`,
      amount: 100 + day,
      currency: 'EUR',
      state: 'posted',
      data: { lines: [{ product: 'Office chair', quantity: day }], note: '<b>not markup</b>' },
    }, 'PUT');
    if (day === 1) await attach(`/documents/invoice/${id}`);
  }
  for (const n of [1, 2]) await staff(`/documents/sale_order/${uniq('SO')}`, { customerId: company.id, name: `Quotation ${n}`, date: `2026-02-0${n}` }, 'PUT');
  const other = await createContact({ kind: 'company', name: `Someone else ${uniq('co')}` });
  await staff(`/documents/ticket/${uniq('T')}`, { customerId: other.id, name: 'Not yours' }, 'PUT');

  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
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

describe('the customer portal in Chromium', () => {
  test('staff grant access; the invitation arrives with a link to the portal', async () => {
    const res = await staff(`/contacts/${company.id}/portal-access`, { lines: [{ contactId: person.id, inPortal: true }] });
    expect(res.body.results).toEqual([expect.objectContaining({ contactId: person.id, outcome: 'granted' })]);
    const mail = await eventually(async () => {
      const found = (await emails()).find((m) => m.destination.to.includes(person.email));
      if (!found) throw new Error('no invitation yet');
      return found;
    });
    const link = /https?:\/\/\S+\/invitation\?token=[A-Za-z0-9_-]+/.exec(mail.body.text ?? '')?.[0];
    expect(link?.startsWith(`${portalUrl()}/invitation?token=`)).toBe(true);
    invitationLink = link!;
  });

  test('the invitation page, with the keyboard only: a refused password is explained, then "Password set"', async () => {
    await page.goto(invitationLink);
    await heading('Choose your password').waitFor();
    await page.getByText('At least 12 characters').waitFor(); // the pool's policy, shown
    expect(await page.evaluate(`document.querySelector('meta[name="robots"]')?.content`)).toBe('noindex, nofollow'); // its URL holds the token
    await screenshot(page, '01-invitation');

    await tabTo('password');
    await page.keyboard.type('too-weak');
    await page.keyboard.press('Tab');
    await page.keyboard.type('too-weak');
    console_.expectApiErrors(400);
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'at least 12 characters' }).waitFor();
    await screenshot(page, '02-invitation-refused');

    await tabTo('password');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(PASSWORD);
    // A slow answer: the wait is said (a status a screen reader reads), the button keeps its name.
    await page.route(`${stack().apiUrl}/invitations/accept`, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await route.continue();
    });
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Setting your password' }).waitFor();
    expect(await page.getByRole('button', { name: 'Set password' }).isDisabled()).toBe(true);
    await heading('Password set', 2).waitFor();
    await page.unrouteAll();
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    // The name alone finds it (Playwright's text match is a case-blind substring): no sentence around it says "sign in".
    expect(await page.getByText('Sign in').count()).toBe(1);
    await screenshot(page, '03-password-set');
  });

  test('sign-in through the hosted UI (code + PKCE) lands on the home page: the name and one counter per type', async () => {
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.toString().startsWith(`${stack().hostedUiUrl}/oauth2/authorize`));
    // The hosted UI's names, each found once, by text as by role: no heading above the button says "sign in".
    expect(await page.getByText('Sign in').count()).toBe(1);
    expect(await page.getByLabel('Email').count()).toBe(1);
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await screenshot(page, '04-hosted-ui-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();

    await heading(person.name).waitFor();
    await page.getByRole('link', { name: `Invoices ${INVOICES}` }).waitFor();
    await page.getByRole('link', { name: 'Sales orders 2' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    // Only the types it has, and nothing of another company.
    expect(await page.getByRole('list').getByRole('link').allInnerTexts()).toHaveLength(2);
    expect(await page.getByRole('link', { name: /^Tickets/ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await screenshot(page, '05-home');
  });

  test('a list per type, newest first, paged with the API cursor; a document at its own URL', async () => {
    await page.getByRole('link', { name: `Invoices ${INVOICES}` }).click();
    await heading('Invoices').waitFor();
    await page.locator('tbody tr').first().waitFor();
    expect(await page.locator('tbody tr').count()).toBe(20);
    expect(await page.locator('tbody tr').first().getByRole('link').innerText()).toBe(`Invoice ${INVOICES}`);
    await screenshot(page, '06-invoices');

    // With the keyboard: the link that had the focus goes with the page it was on; the focus moves to the
    // new page's content (as on any in-app navigation), not to nothing — also on Back and Forward between the pages.
    await page.getByRole('link', { name: 'Next page' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/cursor=/);
    await page.getByRole('link', { name: 'Invoice 01' }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(INVOICES - 20);
    expect(await focusedId()).toBe('main');
    await page.getByRole('link', { name: 'First page' }).focus();
    await page.goBack();
    await page.getByRole('link', { name: `Invoice ${INVOICES}` }).waitFor();
    expect(await focusedId()).toBe('main');
    await page.goForward();
    await page.getByRole('link', { name: 'Invoice 01' }).waitFor();
    expect(await focusedId()).toBe('main');

    await page.getByRole('link', { name: 'Invoice 01' }).click();
    await heading('Invoice 01').waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/documents\/invoice\/[^/]+$/);
    await page.getByText('INV/2026/0001').waitFor();
    await page.getByText('Office chair').waitFor();
    // Whatever the back office sent is text, never markup.
    await page.getByText('<b>not markup</b>').waitFor();
    await heading('Files', 2).waitFor();
    await screenshot(page, '07-document');

    // Its file: the button fetches a short-lived link, the browser saves what staff uploaded, under its name.
    // With the keyboard and a slow answer: the wait is said, and the focus is back on the button after.
    await page.route(`${stack().apiUrl}/portal/documents/invoice/*/attachments/*`, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 600));
      await route.fallback();
    });
    await page.getByRole('button', { name: `Download ${PDF.fileName}` }).focus();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      (async () => {
        await page.keyboard.press('Enter');
        await page.getByRole('status').filter({ hasText: `Preparing the download of ${PDF.fileName}…` }).waitFor();
      })(),
    ]);
    await page.unrouteAll();
    expect(download.suggestedFilename()).toBe(PDF.fileName);
    await eventually(async () => expect(await page.evaluate("document.activeElement && document.activeElement.getAttribute('aria-label')")).toBe(`Download ${PDF.fileName}`), { timeoutMs: 5_000 });
    // The browser runs apart (one Chromium server for the run): the file is copied here to be read.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-download-'));
    await download.saveAs(path.join(dir, 'file'));
    const bytes = fs.readFileSync(path.join(dir, 'file'));
    fs.rmSync(dir, { recursive: true, force: true });
    expect(bytes).toEqual(PDF.bytes);
    expect(new URL(page.url()).pathname).toMatch(/^\/documents\/invoice\/[^/]+$/);

    // Its own URL: a reload shows it again.
    await page.reload();
    await heading('Invoice 01').waitFor();

    // A mangled address (an id no document can have: the API's 400) is a document not found, like any other.
    console_.expectApiErrors(400);
    await page.goto(`${portalUrl()}/documents/invoice/${encodeURIComponent('INV 01 <b>!')}`);
    await page.getByText('This document does not exist, or it is not shared with you.').waitFor();
    await page.goBack();
    await heading('Invoice 01').waitFor();
  });

  test('a list keeps every column in view when the back office sends a long unbroken name, reference and state', async () => {
    const name = `Refurbishment${'Warehouse'.repeat(20)}`;
    await staff(`/documents/project/${uniq('PRJ')}`, {
      customerId: company.id,
      name,
      reference: `PRJ/${'0123456789'.repeat(15)}`,
      state: `in_progress_${'awaiting'.repeat(10)}`,
      date: '2026-03-01',
      amount: 4250,
      currency: 'EUR',
    }, 'PUT');
    await page.goto(`${portalUrl()}/documents/project`);
    await page.getByRole('link', { name }).waitFor();
    await screenshot(page, '07-long-names-list');
    const layout = (await page.evaluate(`({
      viewport: window.innerWidth,
      tableOverflow: (() => { const box = document.querySelector('.scroll'); return box.scrollWidth - box.clientWidth; })(),
      cells: [...document.querySelectorAll('tbody td')].map((td) => Math.round(td.getBoundingClientRect().right)),
    })`)) as { viewport: number; tableOverflow: number; cells: number[] };
    // Date, state and amount beside the name, not past the right edge behind a sideways scroll.
    expect(layout.tableOverflow).toBeLessThanOrEqual(0);
    expect(layout.cells).toHaveLength(5);
    for (const right of layout.cells) expect(right).toBeLessThanOrEqual(layout.viewport);
    // Back where the story goes on.
    await page.goBack();
    await heading('Invoice 01').waitFor();
  });

  test('on a phone-wide screen a list’s names wrap between their words, not inside one (“Invoic|e 21”); the page itself does not scroll sideways', async () => {
    const back = page.url();
    await page.setViewportSize({ width: 360, height: 740 });
    try {
      await page.goto(`${portalUrl()}/documents/invoice`);
      await page.getByRole('link', { name: `Invoice ${INVOICES}` }).waitFor();
      await screenshot(page, '07-phone-list');
      // How many lines each word of each name's link takes (a word broken inside takes two).
      const lines = await wordLines(page, 'tbody td a');
      expect(lines).toHaveLength(20);
      for (const words of lines) expect(words).toEqual([1, 1]);
      expect(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    } finally {
      await page.setViewportSize({ width: 1100, height: 800 });
    }
    await page.goto(back);
    await heading('Invoice 01').waitFor();
  });

  test('an address naming no document type is "Page not found", also one named like what every JavaScript object has', async () => {
    const back = page.url();
    for (const path of ['/documents/bogus', '/documents/constructor', '/documents/toString', '/documents/__proto__', '/documents/valueOf/INV1']) {
      await page.goto(`${portalUrl()}${path}`);
      await heading('Page not found').waitFor();
      expect(await page.title()).toBe('Page not found – Customer portal');
    }
    await page.goto(back);
    await heading('Invoice 01').waitFor();
  });

  test('a failing API is named in the tab’s title as on the page: a document that fails to load is not "not found", nor a throttled share link the app', async () => {
    const back = page.url();
    const problem = (status: number, title: string) => (route: Route) =>
      route.fulfill({
        status,
        contentType: 'application/problem+json',
        headers: { 'access-control-allow-origin': portalUrl(), 'retry-after': '5' },
        body: JSON.stringify({ type: 'about:blank', title, status, detail: 'Please try again later.' }),
      });
    await page.route(`${stack().apiUrl}/portal/documents/invoice/*`, problem(503, 'Service Unavailable'));
    console_.expectApiErrors(503);
    await page.reload();
    await heading('Something went wrong', 2).waitFor();
    expect(await page.title()).toBe('Something went wrong – Customer portal');
    expect(await page.getByText('Document not found').count()).toBe(0);
    await page.unrouteAll();
    // The share links' route is rate-limited: a 429 is a failure to try again, not a dead link, and the tab says so.
    await page.route(`${stack().apiUrl}/shared/*`, problem(429, 'Too Many Requests'));
    console_.expectApiErrors(429);
    await page.goto(`${portalUrl()}/s/${'A'.repeat(43)}`);
    await heading('Something went wrong', 2).waitFor();
    expect(await page.title()).toBe('Something went wrong – Customer portal');
    await page.unrouteAll();
    await page.goto(back);
    await heading('Invoice 01').waitFor();
  });

  test('a colleague’s link to a later page of a list (its cursor is the colleague’s own, which the API refuses) is no dead end: `First page` leads to the list', async () => {
    const back = page.url();
    const colleague = await createPortalUser({ name: 'Colleague', email: `${uniq('colleague')}@example.com`, companyId: company.id });
    const theirs = await api('/portal/documents?type=invoice&limit=20', { token: colleague.token });
    expect(theirs.status).toBe(200);
    const cursor = (theirs.body as { nextCursor?: string }).nextCursor;
    expect(cursor).toBeDefined();
    console_.expectApiErrors(400);
    await page.goto(`${portalUrl()}/documents/invoice?cursor=${encodeURIComponent(cursor!)}`);
    await heading('Something went wrong', 2).waitFor();
    await page.getByRole('navigation', { name: 'Invoices' }).getByRole('link', { name: 'First page' }).click();
    await page.getByRole('link', { name: `Invoice ${INVOICES}` }).waitFor();
    expect(page.url()).toBe(`${portalUrl()}/documents/invoice`);
    expect(await page.locator('tbody tr').count()).toBe(20);
    // Back where the story goes on.
    await page.goto(back);
    await heading('Invoice 01').waitFor();
  });

  test('revoked by staff: the next in-app navigation and a reload say the access ended, and show no document', async () => {
    const res = await staff(`/contacts/${company.id}/portal-access`, { lines: [{ contactId: person.id, inPortal: false }] });
    expect(res.body.results).toEqual([expect.objectContaining({ outcome: 'revoked' })]);

    console_.expectApiErrors(401);
    await page.getByRole('link', { name: 'Back to Invoices' }).click();
    await heading('Your portal access has ended', 2).waitFor();
    expect(await page.locator('table').count()).toBe(0);
    await screenshot(page, '08-access-ended');
    expect(await page.title()).toBe('Your portal access has ended – Customer portal');
    // In the app, to the start page: it says so too, in the tab's title as on the page (nothing is asked of the API: it is known).
    await page.getByRole('banner').getByRole('link', { name: 'Customer portal' }).click();
    await page.waitForURL(`${portalUrl()}/`);
    await heading('Your portal access has ended', 2).waitFor();
    expect(await page.title()).toBe('Your portal access has ended – Customer portal');

    console_.expectApiErrors(401);
    await page.goto(`${portalUrl()}/`);
    await heading('Your portal access has ended', 2).waitFor();
    expect(await page.getByRole('link', { name: /Invoices/ }).count()).toBe(0);
    expect(await page.getByText(person.name).count()).toBe(0);
  });

  test('sign out ends the hosted UI session too: the next sign-in asks for the password again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${portalUrl()}/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await page.getByText('Sign in').count()).toBe(1);
    await screenshot(page, '09-signed-out');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.toString().startsWith(`${stack().hostedUiUrl}/oauth2/authorize`));
    await page.getByLabel('Password').waitFor();
  });

  test('unusable links say "no longer valid": a used invitation, a made-up one, a dead share link', async () => {
    for (const link of [invitationLink, `${portalUrl()}/invitation?token=${'A'.repeat(43)}`]) {
      await page.goto(link);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Confirm password').fill(PASSWORD);
      console_.expectApiErrors(410);
      await page.getByRole('button', { name: 'Set password' }).click();
      await page.getByText('no longer valid').waitFor(); // said once (a strict-mode locator finds it)
    }
    await screenshot(page, '10-invitation-no-longer-valid');

    // A token longer than any the API takes (400 at `token`, not the password's fault) is an unusable link all the same.
    await page.goto(`${portalUrl()}/invitation?token=${'A'.repeat(600)}`);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    console_.expectApiErrors(400);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('no longer valid').waitFor();

    console_.expectApiErrors(410);
    await page.goto(`${portalUrl()}/s/${'B'.repeat(43)}`);
    await page.getByText('no longer valid').waitFor(); // said once (a strict-mode locator finds it)
    await screenshot(page, '11-shared-no-longer-valid');

    // A token that is no valid percent-encoding (which the router cannot decode) is as dead as any other.
    for (const token of ['%', '%ED%A0%80', '%E0%A4%A', 'a%2Fb%zz']) {
      console_.expectApiErrors(410);
      await page.goto(`${portalUrl()}/s/${token}`);
      await page.getByText('no longer valid').waitFor();
    }
  });

  test('a share link: the document and its file without sign-in; once staff revoke it, a reload says "no longer valid"', async () => {
    const id = uniq('INV');
    await staff(`/documents/invoice/${id}`, { customerId: company.id, name: 'Shared invoice', reference: 'INV/2026/SHARE', amount: 250, currency: 'EUR', date: '2026-03-01' }, 'PUT');
    await attach(`/documents/invoice/${id}`);
    const created = await staff(`/documents/invoice/${id}/links`, { maxViews: 5 });
    const url = created.body.url as string;
    expect(url.startsWith(`${portalUrl()}/s/`)).toBe(true);

    await page.goto(url);
    await heading('Shared invoice').waitFor();
    await page.getByText('INV/2026/SHARE').waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    // A crawler that renders the page (the document is fetched by script) is told not to index it,
    // as the API's own answer says (X-Robots-Tag): a share link posted somewhere public stays unlisted.
    expect(await page.evaluate(`document.querySelector('meta[name="robots"]')?.content`)).toBe('noindex, nofollow');
    await screenshot(page, '12-shared-document');
    const listed = await api(`/documents/invoice/${id}/links`, { token: staffToken });
    expect(listed.body.items).toEqual([expect.objectContaining({ id: created.body.id, views: 1 })]);
    // Its file, by a plain link: the browser saves it under its name.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: `Download ${PDF.fileName}` }).click()]);
    expect(download.suggestedFilename()).toBe(PDF.fileName);

    await staff(`/documents/invoice/${id}/links/${created.body.id}`, undefined, 'DELETE');
    console_.expectApiErrors(410);
    await page.reload();
    await page.getByText('no longer valid').waitFor(); // said once (a strict-mode locator finds it)
    expect(await page.getByText('INV/2026/SHARE').count()).toBe(0);
    await screenshot(page, '13-shared-revoked');
  });

  test('with the API on the page’s own origin (`/api/*`, as CloudFront serves it in AWS), a share link’s file still downloads — the router leaves its link to the browser', async () => {
    const id = uniq('INV');
    await staff(`/documents/invoice/${id}`, { customerId: company.id, name: 'Shared through /api' }, 'PUT');
    await attach(`/documents/invoice/${id}`);
    const url = (await staff(`/documents/invoice/${id}/links`, {})).body.url as string;
    const own = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    try {
      const aws = await own.newPage();
      const awsConsole = watch(aws, `${portalUrl()}/api`);
      // The deployed layout: config.json names `<portal>/api`, and `/api/*` reaches the API with the prefix removed.
      await aws.route(`${portalUrl()}/config.json`, async (route) => {
        const config = (await (await route.fetch()).json()) as Record<string, unknown>;
        await route.fulfill({ json: { ...config, apiUrl: `${portalUrl()}/api` } });
      });
      await aws.route(`${portalUrl()}/api/**`, async (route) => {
        const target = stack().apiUrl + route.request().url().slice(`${portalUrl()}/api`.length);
        await route.fulfill({ response: await route.fetch({ url: target, maxRedirects: 0 }) });
      });
      await aws.goto(url);
      await aws.getByRole('heading', { level: 1, name: 'Shared through /api' }).waitFor();
      const [download] = await Promise.all([aws.waitForEvent('download', { timeout: 10_000 }), aws.getByRole('link', { name: `Download ${PDF.fileName}` }).click()]);
      expect(download.suggestedFilename()).toBe(PDF.fileName);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-download-'));
      await download.saveAs(path.join(dir, 'file'));
      const bytes = fs.readFileSync(path.join(dir, 'file'));
      fs.rmSync(dir, { recursive: true, force: true });
      expect(bytes).toEqual(PDF.bytes);
      expect(new URL(aws.url()).pathname.startsWith('/s/')).toBe(true); // still on the document
      expect(awsConsole.errors).toEqual([]);
    } finally {
      await own.close();
    }
  });

  test('what the back office sent stays in view: a long key of `data` wraps, and every value is on the page, not pushed past its right edge', async () => {
    const id = uniq('SO');
    const longKey = `Delivery address for the goods of this quotation as agreed with the customer's purchasing department`;
    await staff(`/documents/sale_order/${id}`, {
      customerId: company.id,
      name: 'Quotation with long labels',
      data: { [longKey]: 'Dock 4, Rotterdam', [`${'Unbroken'.repeat(12)}`]: 'second value', note: 'short key' },
    }, 'PUT');
    const created = await staff(`/documents/sale_order/${id}/links`, {});
    await page.goto(created.body.url as string);
    await page.getByText('Dock 4, Rotterdam').waitFor();
    await screenshot(page, '14-shared-long-data-keys');
    const layout = (await page.evaluate(`({
      pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
      values: [...document.querySelectorAll('dl.data dd')].map((dd) => ({ text: dd.textContent, right: Math.round(dd.getBoundingClientRect().right), width: Math.round(dd.getBoundingClientRect().width) })),
      viewport: window.innerWidth,
    })`)) as { pageOverflow: number; values: { text: string; right: number; width: number }[]; viewport: number };
    expect(layout.pageOverflow).toBeLessThanOrEqual(0);
    expect(layout.values).toHaveLength(3);
    for (const value of layout.values) {
      expect(value.right).toBeLessThanOrEqual(layout.viewport);
      // Room to read the value, not a sliver beside a key that took the whole line.
      expect(value.width).toBeGreaterThanOrEqual(layout.viewport / 3);
    }
  });

  /** Another person of the company, with access through the real flow: granted, the invitation accepted. */
  async function personWithAccess(name: string, tag: string) {
    const email = `${uniq(tag)}@example.com`;
    const other = await createContact({ kind: 'person', name, email, companyId: company.id });
    await staff(`/contacts/${company.id}/portal-access`, { lines: [{ contactId: other.id, inPortal: true }] });
    const [mail] = await mailsTo(email);
    const token = /\/invitation\?token=([A-Za-z0-9_-]+)/.exec(mail!.body.text ?? '')![1];
    expect((await api('/invitations/accept', { method: 'POST', body: { token, password: PASSWORD } })).status).toBe(204);
    return { email, other };
  }

  /** A tab in a context of its own of `browser`, signed in as `email` through the hosted UI (the sign-in sent, not awaited): the context, the tab and its console. */
  async function signingIn(browser: Browser, email: string) {
    const own = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const tab = await own.newPage();
    const tabConsole = watch(tab, stack().apiUrl);
    await tab.goto(`${portalUrl()}/`);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.getByLabel('Email').fill(email);
    await tab.getByLabel('Password').fill(PASSWORD);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    return { own, tab, tabConsole };
  }

  /** A tab of `browser` signed in as `email` through the hosted UI, on its invoices: the tab and its console. */
  async function invoicesOf(browser: Browser, email: string) {
    const { tab, tabConsole } = await signingIn(browser, email);
    await tab.getByRole('link', { name: /^Invoices \d+$/ }).click();
    return { tab, tabConsole };
  }

  test('after Sign out, Back shows nothing of the signed-out user, not even the page a real Chrome keeps in its back/forward cache', async () => {
    const { email } = await personWithAccess('Joel Willis', 'back');
    const cached = await launchBrowserWithBackForwardCache();
    try {
      const { tab, tabConsole } = await invoicesOf(cached, email);
      await tab.getByRole('link', { name: 'Invoice 21' }).click();
      await tab.getByText('INV/2026/0021').waitFor();
      // An address typed in the same tab: the page before it is kept too, signed in.
      await tab.goto(`${portalUrl()}/documents/invoice`);
      await tab.getByRole('link', { name: 'Invoice 20' }).click();
      await tab.getByText('INV/2026/0020').waitFor();

      await tab.getByRole('button', { name: 'Sign out' }).click();
      await tab.waitForURL(`${portalUrl()}/`);
      await tab.getByRole('button', { name: 'Sign in' }).waitFor();
      // Back, page after page: each as the browser kept it would say who was signed in and what they saw.
      const addresses: string[] = [];
      for (let back = 1; back <= 3; back++) {
        await tab.goBack({ waitUntil: 'commit' });
        await tab.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 10_000 });
        addresses.push(new URL(tab.url()).pathname);
        for (const reference of ['INV/2026/0021', 'INV/2026/0020', email]) expect(await tab.getByText(reference).count()).toBe(0);
        expect(await tab.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      }
      // Back went through both documents' addresses (the second one kept from before the typed address).
      expect(addresses).toEqual([expect.stringMatching(/^\/documents\/invoice\/[^/]+$/), '/documents/invoice', expect.stringMatching(/^\/documents\/invoice\/[^/]+$/)]);
      expect(tabConsole.errors).toEqual([]);
    } finally {
      await cached.close();
    }
  });

  test('revoked by staff while signed in: Back to a page a real Chrome kept in its back/forward cache says the access ended, and shows no document', async () => {
    const { email, other } = await personWithAccess('Ready Mat', 'kept');
    const cached = await launchBrowserWithBackForwardCache();
    try {
      const { tab, tabConsole } = await invoicesOf(cached, email);
      await tab.getByRole('link', { name: 'Invoice 21' }).waitFor();
      // An address typed in the tab: the list stays in the back/forward cache, as it was shown.
      await tab.goto(`${portalUrl()}/documents/sale_order`);
      await tab.getByRole('link', { name: 'Quotation 2' }).waitFor();

      const res = await staff(`/contacts/${other.id}/portal-access`, { lines: [{ contactId: other.id, inPortal: false }] });
      expect(res.body.results).toEqual([expect.objectContaining({ outcome: 'revoked' })]);
      // The list, asked for again, is the API's 401 "Portal access ended" (a console error Chromium writes).
      tabConsole.expectApiErrors(401);
      await tab.goBack({ waitUntil: 'commit' });
      await tab.getByText('Your portal access has ended').waitFor({ timeout: 10_000 });
      expect(new URL(tab.url()).pathname).toBe('/documents/invoice');
      for (const name of ['Invoice 21', 'Invoice 20', 'Quotation 2']) expect(await tab.getByText(name).count()).toBe(0);
      expect(tabConsole.errors).toEqual([]);
    } finally {
      await cached.close();
    }
  });

  test('Back right after signing in (the hosted UI, its session still on, answers at once with a new code for the used-up sign-in) keeps the customer signed in at the start page, not "Sign-in did not complete"', async () => {
    const { email } = await personWithAccess('Wood Corner', 'backin');
    const { own, tab, tabConsole } = await signingIn(browser, email);
    try {
      await tab.getByRole('heading', { level: 1, name: 'Wood Corner' }).waitFor();

      await tab.goBack();
      await tab.getByRole('heading', { level: 1, name: 'Wood Corner' }).waitFor({ timeout: 10_000 });
      expect(new URL(tab.url()).pathname).toBe('/');
      await tab.getByRole('link', { name: /^Invoices \d+$/ }).waitFor();
      expect(await tab.getByText('Sign-in did not complete').count()).toBe(0);
      expect(tabConsole.errors).toEqual([]);
    } finally {
      await own.close();
    }
  });

  test('Back past the hosted UI to the start page a real Chrome kept from before the sign-in shows the customer signed in, not `Sign in`', async () => {
    const { email } = await personWithAccess('Lumber Inc', 'backout');
    const cached = await launchBrowserWithBackForwardCache();
    try {
      const { tab, tabConsole } = await signingIn(cached, email);
      await tab.getByRole('heading', { level: 1, name: 'Lumber Inc' }).waitFor();

      await backTwicePastHostedUi(tab, 'Lumber Inc');
      expect(tabConsole.errors).toEqual([]);
    } finally {
      await cached.close();
    }
  });

  test('every page is served with a strict Content-Security-Policy and no inline script; the first load is at most 60 KB of JavaScript (gzip)', async () => {
    for (const path of ['/', '/invitation?token=x', '/documents/invoice/x']) {
      const res = await fetch(portalUrl() + path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain(`connect-src 'self' ${new URL(stack().apiUrl).origin} ${new URL(stack().hostedUiUrl).origin}`);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const html = await res.text();
      expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    }
    const config = (await (await fetch(`${portalUrl()}/config.json`)).json()) as Record<string, unknown>;
    expect(config).toMatchObject({ apiUrl: stack().apiUrl, clientId: stack().customerClientId, userPoolId: stack().customerUserPoolId, hostedUiUrl: stack().hostedUiUrl });

    const first = firstLoadJs(distOf('portal'));
    console.log(`portal first load: ${(first.gzipBytes / 1024).toFixed(1)} KB of JavaScript (gzip) in ${first.files.length} file(s)`);
    expect(first.files.length).toBeGreaterThan(0);
    expect(first.gzipBytes).toBeLessThanOrEqual(60 * 1024);
  });
});

describe('a session the API refuses while the hosted UI’s own session lives on', () => {
  // In AWS, Cognito's hosted-UI session cookie outlives the backend's sign-outs: after a login's email
  // moved, or another contact adopted it, that cookie would sign the browser straight back in with
  // tokens of the same, refused, sign-in (their `auth_time`). The local stand-in's session ends with
  // those sign-outs, so the refusal is made here the API's way: the tab's access token replaced by one
  // of the same login from before its access began (a real token re-signed: support/principals.ts).
  test('after the API refused its tokens, `Sign in` asks for the password again, then the customer is in', async () => {
    const email = `${uniq('reauth')}@example.com`;
    const user = await createPortalUser({ name: 'Reauth Customer', email });
    await cognito().send(new AdminSetUserPasswordCommand({ UserPoolId: stack().customerUserPoolId, Username: email, Password: PASSWORD, Permanent: true }));
    const own = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const tab = await own.newPage();
    const watched = watch(tab, stack().apiUrl);
    const signInWithPassword = async () => {
      await tab.waitForURL((url) => url.toString().startsWith(`${stack().hostedUiUrl}/oauth2/authorize`));
      await tab.getByLabel('Email').fill(email);
      await tab.getByLabel('Password').fill(PASSWORD);
      await tab.getByRole('button', { name: 'Sign in' }).click();
      await tab.getByRole('heading', { level: 1, name: user.contact.name }).waitFor();
    };
    try {
      await tab.goto(`${portalUrl()}/`);
      await tab.getByRole('button', { name: 'Sign in' }).click();
      await signInWithPassword();

      // The tab's token becomes one the API refuses as a sign-in from before the access began (not "access ended").
      const activatedAt = Math.floor(Date.parse(user.contact.portal.activatedAt ?? '') / 1000);
      // As the file's other page reads, a string the page evaluates (this project's tests have no DOM types).
      const stored = (await tab.evaluate(
        "(() => { const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:')); return key ? { key, value: sessionStorage.getItem(key) } : undefined; })()",
      )) as { key: string; value: string } | undefined;
      expect(stored).toBeDefined();
      const session = JSON.parse(stored!.value) as { access_token: string };
      const refused = reissued(session.access_token, { iat: activatedAt - 5, auth_time: activatedAt - 5 });
      expect((await api('/portal/me', { token: refused })).status).toBe(401);
      await tab.evaluate(`sessionStorage.setItem(${JSON.stringify(stored!.key)}, ${JSON.stringify(JSON.stringify({ ...session, access_token: refused }))})`);

      watched.expectApiErrors(401);
      await tab.reload();
      await tab.getByText('Your session has ended').waitFor();
      await tab.getByRole('button', { name: 'Sign in' }).click();
      // The hosted UI's session is still on: without `prompt=login` it would answer at once, with no password asked.
      await signInWithPassword();
      expect(new URL(tab.url()).pathname).toBe('/');
      expect(watched.errors).toEqual([]);
    } finally {
      await own.close();
    }
  });
});
