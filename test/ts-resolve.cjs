// Jest loads globalSetup/globalTeardown through require() (CommonJS), where its
// moduleNameMapper does not apply: map our ESM-style `./x.js` imports to the `./x.ts` sources.
const Module = require('node:module');
const original = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  try {
    return original.call(this, request, parent, ...rest);
  } catch (error) {
    if (request.startsWith('.') && request.endsWith('.js')) {
      return original.call(this, request.slice(0, -3) + '.ts', parent, ...rest);
    }
    throw error;
  }
};
