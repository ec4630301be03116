/** The oldest Node.js major the project runs on (package.json's engines; the `node` dev dependency installs it). */
export const REQUIRED_NODE_MAJOR = 24;

/** Why `version` (as in `process.version`) cannot run the project, or undefined when it can. */
export function unsupportedNode(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (major >= REQUIRED_NODE_MAJOR) return undefined;
  return `Node.js ${REQUIRED_NODE_MAJOR} or newer is needed (this is ${version}): run it through npm (\`npm start\` uses the Node.js that \`npm ci\` installs in node_modules/.bin)`;
}
