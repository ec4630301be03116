/** An HTTP answer read whole (status and body text) within the caller's deadline. */
export interface TextResponse {
  status: number;
  ok: boolean;
  text: string;
}

/**
 * `fetch` with a deadline on the whole exchange — connecting, the answer and its body — so a
 * gateway that accepts the connection and never answers fails the command instead of hanging it.
 * Past the deadline it throws `<METHOD> <url>: no answer within <n> s`.
 */
export async function fetchText(url: string, init: RequestInit, timeoutMs: number): Promise<TextResponse> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, ok: response.ok, text: await response.text() };
  } catch (error) {
    if ((error as Error | null)?.name === 'TimeoutError') {
      throw new Error(`${init.method ?? 'GET'} ${url}: no answer within ${timeoutMs / 1000} s`, { cause: error });
    }
    throw error;
  }
}
