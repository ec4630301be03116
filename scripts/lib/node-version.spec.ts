import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REQUIRED_NODE_MAJOR, unsupportedNode } from './node-version';

describe('unsupportedNode', () => {
  it('refuses a Node.js older than 24 with the fix, in one line, and takes 24 and newer', () => {
    expect(unsupportedNode('v20.20.2')).toBe(
      'Node.js 24 or newer is needed (this is v20.20.2): run it through npm (`npm start` uses the Node.js that `npm ci` installs in node_modules/.bin)',
    );
    expect(unsupportedNode('v24.21.0')).toBeUndefined();
    expect(unsupportedNode('v26.1.0')).toBeUndefined();
  });

  it('is the major of package.json: its engines, and the node package it installs', () => {
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    expect(manifest.engines.node).toMatch(new RegExp(`^>=${REQUIRED_NODE_MAJOR}\\b`));
    expect(manifest.devDependencies.node).toMatch(new RegExp(`^${REQUIRED_NODE_MAJOR}\\.`));
  });

  it('is the runtime the tests run on (npm puts node_modules/.bin first on the PATH)', () => {
    expect(unsupportedNode(process.version)).toBeUndefined();
  });
});
