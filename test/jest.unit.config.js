// The unit project of jest.config.js on its own, for Stryker's jest runner (it runs one jest
// config, not `projects`): same transform, same test files, rooted at the repository.
const path = require('node:path');
const { projects } = require('../jest.config.js');

const { displayName: _displayName, ...unit } = projects.find((project) => project.displayName === 'unit');
module.exports = { ...unit, rootDir: path.resolve(__dirname, '..') };
