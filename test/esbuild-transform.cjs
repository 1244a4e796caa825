// Jest transform: TypeScript and ESM JavaScript to CommonJS with esbuild (type checking is `tsc --noEmit`'s job).
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const loader = /\.[cm]?ts$/.test(filename) ? 'ts' : 'js';
    const { code, map } = transformSync(source, {
      loader,
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: filename,
      supported: { 'dynamic-import': false },
    });
    return { code, map };
  },
};
