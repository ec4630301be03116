import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface DevSecrets {
  ADMIN_SECRET: string;
  SECRET_HASH_KEY: string;
}

/**
 * Local development secrets, generated once and kept in `.cache/dev-secrets.json` (git-ignored,
 * mode 600) so that issued application secrets stay valid across restarts. Production sets the
 * variables itself.
 */
export function devSecrets(root: string): DevSecrets {
  const file = path.join(root, '.cache', 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  const secrets: DevSecrets = {
    ADMIN_SECRET: randomBytes(24).toString('base64url'),
    SECRET_HASH_KEY: randomBytes(32).toString('base64url'),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
