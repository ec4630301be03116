import { statSync } from 'node:fs';
import path from 'node:path';
import { buildApps } from '../src/build-apps';

const ROOT = path.resolve(__dirname, '../../..');

describe('buildApps', () => {
  it('with nothing changed leaves dist/ as it is: no file deleted and written again under an app starting meanwhile', () => {
    buildApps(); // the global setup built already; this one only makes sure
    const files = ['dist/apps/gateway/src/main.js', 'dist/libs/observability/src/health.js'].map((file) => path.join(ROOT, file));
    const before = files.map((file) => statSync(file).ino);
    buildApps();
    expect(files.map((file) => statSync(file).ino)).toEqual(before);
  });
});
