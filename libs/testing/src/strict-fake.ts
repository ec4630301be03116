/**
 * A strict fake of a port for unit tests: it answers only what `implemented` provides, and any
 * other property the code under test touches fails the test at once ("unexpected use of Name.x").
 */
export function strictFake<T>(name: string, implemented: object): T {
  return new Proxy(implemented, {
    get(target, property, receiver) {
      if (typeof property === 'string' && !(property in target) && property !== 'then') {
        throw new Error(`unexpected use of ${name}.${property}`);
      }
      return Reflect.get(target, property, receiver);
    },
  }) as T;
}
