import { getMetadataStorage } from 'class-validator';

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type Lookup = MetadataStorage['getTargetValidationMetadatas'];

const MEMOISED = Symbol('validation metadata lookups memoised');

/**
 * class-validator looks up a class's rules on every object it validates, nested ones included, by
 * scanning every registered class (`instanceof` each, then filters): a large share of the CPU of
 * decoding a message or a request. The rules change only when a decorator adds one, so the
 * lookups (and their grouping by property) are kept until then.
 */
export function memoiseValidationMetadata(storage: MetadataStorage = getMetadataStorage()): void {
  const memoised = storage as MetadataStorage & { [MEMOISED]?: true };
  if (memoised[MEMOISED]) return;
  memoised[MEMOISED] = true;
  let lookups = new WeakMap<object, Map<string, ReturnType<Lookup>>>();
  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const addRule = storage.addValidationMetadata.bind(storage);
  storage.addValidationMetadata = (metadata) => {
    lookups = new WeakMap();
    addRule(metadata);
  };
  // The rules found are grouped by property for each object too: kept with the lookup they came from.
  const groupings = new WeakMap<object, ReturnType<MetadataStorage['groupByPropertyName']>>();
  const group = storage.groupByPropertyName.bind(storage);
  storage.groupByPropertyName = (rules) => {
    let grouped = groupings.get(rules);
    if (!grouped) groupings.set(rules, (grouped = group(rules)));
    return grouped;
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0000') ?? ''}`;
    let byOptions = lookups.get(target);
    if (!byOptions) lookups.set(target, (byOptions = new Map()));
    let rules = byOptions.get(key);
    if (!rules) byOptions.set(key, (rules = lookup(target, schema, always, strictGroups, groups)));
    return rules;
  };
}
