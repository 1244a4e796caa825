/** `tsx lib/trim-source-map.ts <bundle>.js.map`: the CDK's bundling hook (lib/bundling.ts); see source-maps.ts. */
import { trimSourceMapFile } from './source-maps';

const [mapFile] = process.argv.slice(2);
if (!mapFile) throw new Error('usage: tsx lib/trim-source-map.ts <bundle>.js.map');
trimSourceMapFile(mapFile);
