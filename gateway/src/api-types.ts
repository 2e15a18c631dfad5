import type { Request } from 'express';
import type { components, operations } from '../generated/openapi-types';

/**
 * Request types from the OpenAPI document: `generated/openapi-types.d.ts` is generated from `src/openapi.yaml`
 * (`npm run openapi:types -w gateway`; a unit test fails when it drifts). express-openapi-validator
 * checks every request against that same document before any route runs (`app.ts`), so a route takes
 * its body's type from here and never asserts it.
 */

/** The document's schemas by name, e.g. `Schemas['TransferRequest']`. */
export type Schemas = components['schemas'];

/** The JSON body of an operation (by its operationId); `undefined` where the body is optional. */
export type BodyOf<Op extends keyof operations> = operations[Op] extends {
  requestBody: { content: { 'application/json': infer Body } };
}
  ? Body
  : operations[Op] extends { requestBody?: { content: { 'application/json': infer Body } } }
    ? Body | undefined
    : undefined;

/** An Express request whose body is the operation's, as validated against the document. */
export type ApiRequest<Op extends keyof operations, Body = BodyOf<Op>> = Request<
  Request['params'],
  unknown,
  Body
>;
