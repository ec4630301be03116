import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Accept a request that declares `Content-Type: application/json` and sends no body, as a request
 * without a body.
 *
 * Clients written against the reference send the JSON content type on every call, the bodiless
 * ones too: the article's logout is `curl --header "Content-Type: application/json" --request
 * DELETE …/device/{deviceID}/user`, and SDKs do the same for `cleartags`. The JSON parser refuses
 * an empty body (FST_ERR_CTP_EMPTY_JSON_BODY, a 400), so such a call would fail here and work on the
 * platform it was written for. A request that announces no body (no `Transfer-Encoding`, and no or
 * a zero `Content-Length`) loses its content type before parsing, so no parser runs: the handler
 * gets no body, as for a request that sent no content type — a route that needs a body still
 * answers 400 naming its fields. Every other body goes to the parser as before (malformed JSON is
 * still a 400, prototype poisoning still refused).
 */
export function acceptEmptyJsonBodies(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, _reply, done) => {
      const headers = request.raw.headers;
      const announcesNoBody = headers['transfer-encoding'] === undefined && (headers['content-length'] === undefined || headers['content-length'] === '0');
      if (announcesNoBody && isJson(headers['content-type'])) delete headers['content-type'];
      done();
    });
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';', 1)[0].trim().toLowerCase() === 'application/json';
}
