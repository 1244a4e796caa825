/**
 * The admin console shows the contract's newer parts (contact filters, restore, scoped access, invitation
 * links, grant end dates, who has access, share links, attachments) only when the API's own OpenAPI
 * document lists them, so it never calls a route the API does not have.
 */
import { buildOpenApi } from '../../lambdas/contract/openapi';
import { featuresOf, NO_FEATURES } from '../../web/admin/features';

type Doc = { paths: Record<string, Record<string, any>>; components?: { schemas?: Record<string, any> } }; // eslint-disable-line @typescript-eslint/no-explicit-any

const doc = (): Doc => JSON.parse(JSON.stringify(buildOpenApi())) as Doc;

test('this API: each part is offered exactly when its route or field is in the document', () => {
  const paths = doc().paths;
  const features = featuresOf(doc());
  expect(features.contactFilters).toBe(paths['/contacts']!.get.parameters.some((p: { name: string }) => p.name === 'portalStatus'));
  expect(features.restore).toBe('/contacts/{id}/restore' in paths);
  expect(features.whoHasAccess).toBe('/documents/{type}/{id}/access' in paths);
  expect(features.shareLinks).toBe('/documents/{type}/{id}/links' in paths);
  expect(features.attachments).toBe('/documents/{type}/{id}/attachments' in paths);
});

test('an API with every part of the contract offers them all; one without them offers none', () => {
  const full = doc();
  const op = { responses: {} };
  full.paths['/contacts']!.get.parameters.push({ name: 'portalStatus', in: 'query' }, { name: 'archived', in: 'query' });
  full.paths['/contacts/{id}/restore'] = { post: op };
  const lines = full.paths['/contacts/{id}/portal-access']!.post.requestBody.content['application/json'].schema.properties.lines.items;
  // A line's schema behind a $ref, as a generator may write it.
  full.components = { ...full.components, schemas: { ...full.components?.schemas, ApplyLine: { ...lines, properties: { ...lines.properties, scope: {}, types: {}, until: {} } } } };
  full.paths['/contacts/{id}/portal-access']!.post.requestBody.content['application/json'].schema.properties.lines.items = { $ref: '#/components/schemas/ApplyLine' };
  full.paths['/contacts/{id}/portal-access/reinvite']!.post.requestBody.content['application/json'].schema.properties.delivery = { enum: ['email', 'link'] };
  full.paths['/documents/{type}/{id}/grants']!.post.requestBody.content['application/json'].schema.properties.until = { type: 'string' };
  full.paths['/documents/{type}/{id}/access'] = { get: op };
  full.paths['/documents/{type}/{id}/links'] = { get: op, post: op };
  full.paths['/documents/{type}/{id}/attachments'] = { get: op, post: op };
  full.paths['/documents/{type}/{id}/attachments/{attachmentId}/complete'] = { post: op };
  expect(Object.values(featuresOf(full))).toEqual(Object.values(NO_FEATURES).map(() => true));

  expect(featuresOf({ paths: {} })).toEqual(NO_FEATURES);
  expect(featuresOf({})).toEqual(NO_FEATURES);
});
