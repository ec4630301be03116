/**
 * The load: the article's calls, one flow per user, sent by autocannon (programmatic API, a
 * `requests` sequence per connection whose `setupRequest` gives every flow a new user and device).
 *
 * A flow: POST /device (SDK credentials) → PUT /device/{id}/user → POST /email → POST /sms →
 * PUT /device/{id}/userdata/override (backend credentials) → in read-your-writes mode,
 * GET /user/foruserid/{id}/profile, checked to hold every channel the flow wrote. With
 * `Prefer: respond-async` the user data goes through PUT /user/foruserid/{id}/userdata/override
 * instead: the device route looks the device up in the read model, which an asynchronous flow
 * has not reached yet. The one-client phase sends only PUT /device/{id}/user, on devices
 * registered before it.
 */
import autocannon from 'autocannon';
import { Sample } from './stats';

export interface AppCredentials {
  applicationKey: string;
  applicationSecret: string;
  masterSecret: string;
}

export type FlowMode = 'read-your-writes' | 'respond-async';

export const WRITE_KINDS = ['register-device', 'attach-user', 'add-email', 'add-sms', 'override-user-data'] as const;
export const READ_KIND = 'profile-read';

interface FlowContext {
  n?: number;
}

/** The identities of user number n of this run. */
export function userIdentity(runTag: string, n: number) {
  const userID = `bench-${runTag}-u${n}`;
  return {
    userID,
    userName: `Bench User ${n}`,
    deviceID: `${runTag}${n.toString(16).padStart(12, '0')}`,
    email: `u${n}.${runTag}@bench.example.com`,
    // Dutch mobile numbers (+31 6 1xxxxxxx), one per user.
    phone: `+3161${String(n % 10_000_000).padStart(7, '0')}`,
  };
}

/** Collects what every answer was, for the phase in progress. */
export class Recorder {
  readonly samples: Sample[] = [];
  stale = 0;
  private startedAt = performance.now();
  private kind = 'unknown';

  restart(): void {
    this.samples.length = 0;
    this.stale = 0;
    this.startedAt = performance.now();
  }

  /** Called by each request's onResponse, synchronously before autocannon's `response` event. */
  answered(kind: string): void {
    this.kind = kind;
  }

  record(status: number, latencyMs: number): void {
    this.samples.push({ atMs: performance.now() - this.startedAt, latencyMs, kind: this.kind, status });
  }

  elapsedSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }
}

export class UserFlows {
  private next = 0;
  /** Users whose whole flow was written and read back (read-your-writes mode). */
  readonly completedUsers: number[] = [];
  /** Devices registered without a user, for the one-client phase. */
  readonly registeredDevices: number[] = [];
  /** Users attached to them so far. */
  private attached = 0;

  constructor(
    private readonly credentials: AppCredentials,
    readonly runTag: string,
  ) {}

  get usersStarted(): number {
    return this.next;
  }

  private basic(secret: string): string {
    return `Basic ${Buffer.from(`${this.credentials.applicationKey}:${secret}`).toString('base64')}`;
  }

  /** The request sequence of one flow. */
  flow(mode: FlowMode, recorder: Recorder): autocannon.Request[] {
    const sdk = { authorization: this.basic(this.credentials.applicationSecret), 'content-type': 'application/json' };
    const backend = { authorization: this.basic(this.credentials.masterSecret), 'content-type': 'application/json' };
    const prefer = mode === 'respond-async' ? { prefer: 'respond-async' } : {};
    const id = (context: object) => userIdentity(this.runTag, (context as FlowContext).n ?? 0);
    const answered = (kind: string) => () => recorder.answered(kind);
    const requests: autocannon.Request[] = [
      {
        method: 'POST',
        path: '/device',
        headers: { ...sdk, ...prefer },
        setupRequest: (request, context) => {
          (context as FlowContext).n = this.next;
          this.next += 1;
          const user = id(context);
          return {
            ...request,
            body: JSON.stringify({ deviceID: user.deviceID, platform: 'iOS', transport: 'APNS', osVersion: '17.4', language: 'en', region: 'NL' }),
          };
        },
        onResponse: answered('register-device'),
      },
      {
        method: 'PUT',
        headers: { ...backend, ...prefer },
        setupRequest: (request, context) => {
          const user = id(context);
          return { ...request, path: `/device/${user.deviceID}/user`, body: JSON.stringify({ userID: user.userID, userName: user.userName }) };
        },
        onResponse: answered('attach-user'),
      },
      {
        method: 'POST',
        path: '/email',
        headers: { ...backend, ...prefer },
        setupRequest: (request, context) => {
          const user = id(context);
          return { ...request, body: JSON.stringify({ email: user.email, userID: user.userID, userName: user.userName, language: 'en', region: 'NL' }) };
        },
        onResponse: answered('add-email'),
      },
      {
        method: 'POST',
        path: '/sms',
        headers: { ...backend, ...prefer },
        setupRequest: (request, context) => {
          const user = id(context);
          return { ...request, body: JSON.stringify({ phone: user.phone, userID: user.userID, userName: user.userName, language: 'en', region: 'NL' }) };
        },
        onResponse: answered('add-sms'),
      },
      {
        method: 'PUT',
        headers: { ...backend, ...prefer },
        setupRequest: (request, context) => {
          const user = id(context);
          const userData = { firstName: 'John', lastName: `Doe-${(context as FlowContext).n}`, birthdate: '1997-03-10', gender: 'Male' };
          // Through the device as the article does it (the device-service forwards it to the user,
          // ADR 0015); asynchronously through the user route, as in earlier runs, so that figures compare.
          return mode === 'read-your-writes'
            ? { ...request, path: `/device/${user.deviceID}/userdata/override`, body: JSON.stringify(userData) }
            : { ...request, path: `/user/foruserid/${encodeURIComponent(user.userID)}/userdata/override`, body: JSON.stringify({ userData }) };
        },
        onResponse: answered('override-user-data'),
      },
    ];
    if (mode === 'read-your-writes') {
      requests.push({
        method: 'GET',
        headers: { authorization: backend.authorization },
        setupRequest: (request, context) => ({ ...request, path: `/user/foruserid/${encodeURIComponent(id(context).userID)}/profile`, body: undefined }),
        onResponse: (status, body, context) => {
          recorder.answered(READ_KIND);
          if (status !== 200) return;
          const user = id(context);
          // Read-your-writes: every write of the flow has answered, so the profile must show them all.
          if (body.includes(user.deviceID) && body.includes(user.email) && body.includes(`Doe-${(context as FlowContext).n}`)) {
            this.completedUsers.push((context as FlowContext).n ?? 0);
          } else {
            recorder.stale += 1;
          }
        },
      });
    }
    return requests;
  }

  /** POST /device for a new device each time, as a flow starts, with no user attached afterwards. */
  devices(recorder: Recorder): autocannon.Request[] {
    const [register] = this.flow('read-your-writes', recorder);
    return [
      {
        ...register,
        onResponse: (status, _body, context) => {
          recorder.answered('register-device');
          if (status === 200 || status === 201) this.registeredDevices.push((context as FlowContext).n ?? 0);
        },
      },
    ];
  }

  /**
   * PUT /device/{id}/user on the registered devices in turn, each to a user of its own. Past the last
   * device they start over with new users: attaching the same user again would change nothing.
   */
  attachUsers(recorder: Recorder): autocannon.Request[] {
    if (this.registeredDevices.length === 0) throw new Error('no device was registered: nothing to attach a user to');
    const backend = { authorization: this.basic(this.credentials.masterSecret), 'content-type': 'application/json' };
    return [
      {
        method: 'PUT',
        headers: backend,
        setupRequest: (request) => {
          const round = Math.floor(this.attached / this.registeredDevices.length);
          const user = userIdentity(this.runTag, this.registeredDevices[this.attached % this.registeredDevices.length]);
          this.attached += 1;
          const userID = round === 0 ? user.userID : `${user.userID}-r${round}`;
          return { ...request, path: `/device/${user.deviceID}/user`, body: JSON.stringify({ userID, userName: user.userName }) };
        },
        onResponse: () => recorder.answered('attach-user'),
      },
    ];
  }

  /** Users attached to a device that had one already (the one client went through every registered device). */
  get reattached(): number {
    return Math.max(0, this.attached - this.registeredDevices.length);
  }

  /**
   * Profile reads of users picked at random among those whose flow was read back complete (or, if
   * none was, among every user started: a machine too slow for one whole flow still gets its reads
   * measured, some of them 404).
   */
  reads(recorder: Recorder): autocannon.Request[] {
    if (this.next === 0) throw new Error('no user was written: nothing to read');
    const authorization = this.basic(this.credentials.masterSecret);
    const pick = () =>
      this.completedUsers.length > 0 ? this.completedUsers[Math.floor(Math.random() * this.completedUsers.length)] : Math.floor(Math.random() * this.next);
    return [
      {
        method: 'GET',
        headers: { authorization },
        setupRequest: (request) => {
          const n = pick();
          return { ...request, path: `/user/foruserid/${encodeURIComponent(userIdentity(this.runTag, n).userID)}/profile`, body: undefined };
        },
        onResponse: () => recorder.answered(READ_KIND),
      },
    ];
  }
}

export interface LoadRun {
  url: string;
  connections: number;
  seconds: number;
  /** Requests per second over all connections (paced); omitted = as fast as the answers come. */
  overallRate?: number;
  requests: autocannon.Request[];
  recorder: Recorder;
}

/** One autocannon instance for `seconds`; resolves with its own result (errors, timeouts). */
export function runAutocannon(run: LoadRun): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: run.url,
        connections: run.connections,
        duration: run.seconds,
        pipelining: 1,
        // Longer than the gateway's COMMAND_TIMEOUT_MS (10 s), so a slow write answers 202 rather than being cut.
        timeout: 30,
        ...(run.overallRate ? { overallRate: run.overallRate } : {}),
        requests: run.requests,
      },
      (error, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => run.recorder.record(statusCode, responseTime));
    // A guard: autocannon ends on its own after `duration`; never let a phase outlive its bound.
    const guard = setTimeout(() => instance.stop(), (run.seconds + 45) * 1000);
    guard.unref();
    instance.once('done', () => clearTimeout(guard));
  });
}

/**
 * Paced load without bursts: autocannon paces each connection per whole second (a connection
 * sends its quota, then waits for the next second), and every connection of an instance ticks at
 * the same moment. So the rate is split over `slots` instances started 1/slots s apart.
 */
export async function runPaced(run: LoadRun & { overallRate: number }, slots = 10): Promise<autocannon.Result[]> {
  const rates = splitEvenly(Math.max(1, Math.round(run.overallRate)), slots).filter((rate) => rate > 0);
  const connections = splitEvenly(Math.max(rates.length, run.connections), rates.length);
  const starts = rates.map((rate, index) =>
    new Promise<void>((resolve) => setTimeout(resolve, (index * 1000) / rates.length)).then(() =>
      runAutocannon({ ...run, connections: Math.max(1, connections[index]), overallRate: rate, seconds: run.seconds }),
    ),
  );
  return Promise.all(starts);
}

/** `total` split into `parts` whole numbers that differ by at most one and add up to `total`. */
export function splitEvenly(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, index) => Math.floor(total / parts) + (index < total % parts ? 1 : 0));
}
