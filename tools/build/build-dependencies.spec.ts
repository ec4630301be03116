import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Nx builds an app after the libs it imports (`dependsOn: ["^build"]`), along the project graph.
 * The graph's edges are the projects' `implicitDependencies` (inferring them from imports would
 * follow the tests' imports too, and those go in circles through libs/testing): this keeps each
 * list equal to what the project's production sources import.
 */
const ROOT = path.resolve(__dirname, '../..');
const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$|strict-fakes\.ts$/;

interface Project {
  name: string;
  implicitDependencies?: string[];
  targets?: Record<string, unknown>;
}

function sourcesOf(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourcesOf(file);
    return entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name) ? [file] : [];
  });
}

const projects = ['apps', 'libs'].flatMap((folder) =>
  readdirSync(path.join(ROOT, folder)).map((name) => {
    const root = path.join(ROOT, folder, name);
    return { root, project: JSON.parse(readFileSync(path.join(root, 'project.json'), 'utf8')) as Project };
  }),
);
const built = projects.filter(({ project }) => project.targets?.build !== undefined);

describe('the build graph', () => {
  it.each(built.map(({ root, project }) => [project.name, root]))('%s depends on exactly the libs its production sources import', (name, root) => {
    const imported = new Set<string>();
    for (const file of sourcesOf(path.join(root, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/from '@omni\/([a-z-]+)'/g)) if (match[1] !== name) imported.add(match[1]);
    }
    const project = projects.find(({ root: projectRoot }) => projectRoot === root)!.project;
    expect((project.implicitDependencies ?? []).slice().sort()).toEqual([...imported].sort());
  });

  it('every lib an app is built with is built itself (a lib without a build target would be missing from dist/)', () => {
    const builtNames = new Set(built.map(({ project }) => project.name));
    const missing = built.flatMap(({ project }) => (project.implicitDependencies ?? []).filter((dependency) => !builtNames.has(dependency)));
    expect(missing).toEqual([]);
  });
});
