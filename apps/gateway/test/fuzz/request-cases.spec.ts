import fc from 'fast-check';
import { FuzzRoute, Schema } from './openapi-routes';
import { FuzzCase, FuzzContext, rejectedCase } from './request-cases';

const context: FuzzContext = {
  credentials: {
    admin: { user: 'admin', password: 'a'.repeat(32) },
    master: { user: 'k'.repeat(40), password: 'm'.repeat(64) },
    sdk: { user: 'k'.repeat(40), password: 's'.repeat(64) },
  },
  known: () => ['known-id'],
  bodyLimitBytes: 1_024,
};

function route(id: string, body: Schema): FuzzRoute {
  const [method, template] = id.split(' ') as [FuzzRoute['method'], string];
  return { id, method, template, accepts: ['master'], pathParameters: [{ name: 'deviceID', schema: { type: 'string' } }], query: [], headers: [], body };
}

/** An update whose every field is optional: the reference's PUT /email/{deviceID}. */
const optionalBody = route('PUT /email/{deviceID}', { type: 'object', properties: { userID: { type: 'string' }, userName: { type: 'string' } } });
/** A body with a required field: PUT /device/{deviceID}/addtags. */
const requiredBody = route('PUT /device/{deviceID}/addtags', {
  type: 'object',
  required: ['tags'],
  properties: { tags: { type: 'array', items: { type: 'string' } } },
});

const sent = (request: FuzzCase) => request.credential === 'right' && request.body === '';

describe('the fuzzer’s requests that must be refused', () => {
  it('never send an empty body to a route whose body is optional (the gateway takes it as no body), whatever the seed', () => {
    fc.assert(fc.property(rejectedCase(optionalBody, context), (request) => !sent(request)), { numRuns: 5_000 });
  });

  it('send no body, with a JSON content type, to a route whose body has required fields', () => {
    const cases = fc.sample(rejectedCase(requiredBody, context), { numRuns: 2_000, seed: 42 });
    const empty = cases.filter(sent);
    expect(empty.length).toBeGreaterThan(0);
    expect(new Set(empty.map((request) => [request.bodyKind, request.headers['content-type']].join(' ')))).toEqual(new Set(['missing-body application/json']));
  });
});
