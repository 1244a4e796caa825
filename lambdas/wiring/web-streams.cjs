/**
 * Stands in for `node:stream/web` in the Lambda bundles (an esbuild alias, see lib/bundling.ts).
 * @middy/core imports it at load for one `instanceof ReadableStream`, on its streamed-response path
 * (`streamifyResponse`), which no function here uses; loading the module costs a cold start ~3 ms.
 * The class is Node's own global one, read only when that path asks for it.
 */
module.exports = {
  get ReadableStream() {
    return globalThis.ReadableStream;
  },
};
