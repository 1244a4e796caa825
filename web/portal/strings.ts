/**
 * Every English string of the customer portal, in one place. A second language (Dutch, the seed's
 * other one) is a second object of the same type and a choice in `strings` below. The accessible
 * names the browser tests use (API.md, "The pages") are fixed: `Sign in`, `Sign out`, `Password`,
 * `Confirm password`, `Set password`, the type labels.
 */
import type { Attachment, DocumentType } from '../shared/api';
import type { AppConfig } from '../shared/config';
import { documentDate } from '../shared/document-date';

const en = {
  appName: 'Customer portal',
  skipToContent: 'Skip to content',
  unavailable: 'The portal is not available right now. Please try again later.',
  signIn: 'Sign in',
  signOut: 'Sign out',
  loading: 'Loading…',
  home: {
    signedOutTitle: 'Welcome to the customer portal',
    signedOutText: 'Your quotations, orders, invoices and other documents are shown here once you are signed in.',
    sessionExpired: 'Your session has ended. You need to be signed in again to go on.',
    yourDocuments: 'Your documents',
    noDocuments: 'There are no documents for you yet.',
    company: (name: string) => `Company: ${name}`,
  },
  types: {
    lead: 'Leads',
    sale_order: 'Sales orders',
    purchase_order: 'Purchase orders',
    invoice: 'Invoices',
    project: 'Projects',
    task: 'Tasks',
    timesheet: 'Timesheets',
    ticket: 'Tickets',
    signature: 'Signature requests',
    subscription: 'Subscriptions',
  } satisfies Record<DocumentType, string>,
  /** One document's type, on its page. */
  type: {
    lead: 'Lead',
    sale_order: 'Sales order',
    purchase_order: 'Purchase order',
    invoice: 'Invoice',
    project: 'Project',
    task: 'Task',
    timesheet: 'Timesheet',
    ticket: 'Ticket',
    signature: 'Signature request',
    subscription: 'Subscription',
  } satisfies Record<DocumentType, string>,
  list: {
    empty: 'There is nothing here.',
    name: 'Name',
    reference: 'Reference',
    date: 'Date',
    state: 'Status',
    amount: 'Amount',
    nextPage: 'Next page',
    firstPage: 'First page',
    allDocuments: 'All documents',
  },
  document: {
    details: 'Details',
    type: 'Type',
    reference: 'Reference',
    date: 'Date',
    state: 'Status',
    amount: 'Amount',
    more: 'More information',
    updated: 'Last updated',
    backTo: (label: string) => `Back to ${label}`,
    notFoundTitle: 'Document not found',
    notFound: 'This document does not exist, or it is not shared with you.',
  },
  attachments: {
    title: 'Files',
    /** The button's visible text; its accessible name names the file. */
    downloadButton: 'Download',
    download: (fileName: string) => `Download ${fileName}`,
    describe: (contentType: Attachment['contentType'], size: number) => {
      const kind = { 'application/pdf': 'PDF', 'image/png': 'PNG image', 'image/jpeg': 'JPEG image', 'text/plain': 'Text', 'text/csv': 'CSV' }[contentType];
      const amount = size < 1024 ? `${size} bytes` : size < 1024 * 1024 ? `${Math.round(size / 1024)} KB` : `${(size / (1024 * 1024)).toFixed(1)} MB`;
      return `(${kind}, ${amount})`;
    },
    preparing: (fileName: string) => `Preparing the download of ${fileName}…`,
    failedTitle: 'The file could not be downloaded',
    failed: (fileName: string) => `${fileName} is not available right now. Reload the page and try again.`,
  },
  invitation: {
    title: 'Choose your password',
    intro: 'Choose the password for your portal.',
    password: 'Password',
    confirm: 'Confirm password',
    submit: 'Set password',
    submitting: 'Setting your password…',
    policy: (p: AppConfig['passwordPolicy']) =>
      [
        `At least ${p.minLength} characters`,
        p.requireLowercase && 'a lower-case letter',
        p.requireUppercase && 'an upper-case letter',
        p.requireDigits && 'a digit',
        p.requireSymbols && 'a symbol',
      ]
        .filter(Boolean)
        .join(', ') + '.',
    mismatch: 'The two passwords are not the same.',
    refused: 'This password cannot be used',
    doneTitle: 'Password set',
    done: 'Your password is set. From now on, your email address and this password open your portal.',
    invalidTitle: 'This link is no longer valid',
    /** Under the title, without its words again: "no longer valid" is said once on the page. */
    invalid: 'It was used, replaced by a newer invitation, or it expired. Ask us for a new invitation.',
  },
  shared: {
    invalidTitle: 'This link is no longer valid',
    invalid: 'It expired or was withdrawn. Ask the sender for a new one.',
  },
  ended: {
    title: 'Your portal access has ended',
    text: 'You can no longer see documents here. If you think this is a mistake, please contact us.',
  },
  signInFailed: {
    title: 'Sign-in did not complete',
    text: 'Please try again.',
  },
  error: {
    title: 'Something went wrong',
    text: 'Please try again in a moment.',
    unreachable: 'The service cannot be reached. Check your connection and try again.',
  },
  notFound: {
    title: 'Page not found',
    text: 'There is no page at this address.',
    home: 'Go to the start page',
  },
  date: documentDate,
  amount: (amount: number, currency?: string) => {
    try {
      return currency ? new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(amount) : new Intl.NumberFormat('en-GB').format(amount);
    } catch {
      return `${amount} ${currency ?? ''}`.trim();
    }
  },
};

export type Strings = typeof en;

export const strings: Strings = en;
