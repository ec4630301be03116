/**
 * Tag list rules shared by every channel (devices, email contacts, SMS numbers): a list without
 * duplicates, in the order tags were first added.
 */

/** `current` plus the `added` tags it lacks, in order. */
export function withTags(current: readonly string[], added: readonly string[]): string[] {
  const seen = new Set(current);
  const result = [...current];
  for (const tag of added) {
    if (seen.has(tag)) continue;
    seen.add(tag);
    result.push(tag);
  }
  return result;
}

/** `current` without the `removed` tags (tags it does not have are ignored). */
export function withoutTags(current: readonly string[], removed: readonly string[]): string[] {
  const gone = new Set(removed);
  return current.filter((tag) => !gone.has(tag));
}

/** Same tags in the same order. */
export function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}
