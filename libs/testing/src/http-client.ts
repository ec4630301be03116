/** A small HTTP client for end-to-end tests: Basic credentials, JSON in and out. */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies default to untyped JSON for test assertions */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly credentials?: { user: string; password: string },
  ) {}

  as(user: string, password: string): ApiClient {
    return new ApiClient(this.baseUrl, { user, password });
  }

  at(baseUrl: string): ApiClient {
    return new ApiClient(baseUrl, this.credentials);
  }

  get<T = any>(path: string, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    return this.request('GET', path, undefined, headers);
  }
  put<T = any>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    return this.request('PUT', path, body, headers);
  }
  post<T = any>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    return this.request('POST', path, body, headers);
  }
  delete<T = any>(path: string, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    return this.request('DELETE', path, undefined, headers);
  }

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const allHeaders: Record<string, string> = { ...headers };
    if (this.credentials) {
      allHeaders.authorization = `Basic ${Buffer.from(`${this.credentials.user}:${this.credentials.password}`).toString('base64')}`;
    }
    if (body !== undefined && !allHeaders['content-type']) allHeaders['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: allHeaders,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
}

export interface ApplicationCredentials {
  applicationKey: string;
  applicationSecret: string;
  masterSecret: string;
}

/** Create an application through the admin API; returns its credentials. */
export async function createApplication(gatewayUrl: string, adminSecret: string, name = 'Test App'): Promise<ApplicationCredentials> {
  const response = await new ApiClient(gatewayUrl).as('admin', adminSecret).post('/admin/applications', { name });
  if (response.status !== 201) throw new Error(`create application: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.application as ApplicationCredentials;
}
