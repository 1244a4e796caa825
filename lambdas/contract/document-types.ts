/** The kinds of business document the back office publishes into the portal: one list for schemas, routes, OpenAPI and counts. */
export const DOCUMENT_TYPES = [
  'lead',
  'sale_order',
  'purchase_order',
  'invoice',
  'project',
  'task',
  'timesheet',
  'ticket',
  'signature',
  'subscription',
] as const;

export type DocumentType = (typeof DOCUMENT_TYPES)[number];
