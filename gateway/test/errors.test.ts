import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { CommitError, CommitStatusError, EndorseError, GatewayError } from '@hyperledger/fabric-gateway';
// Exported by the package as a type only; the class is what the client throws after a failed submit.
import { SubmitError } from '@hyperledger/fabric-gateway/dist/submiterror';
import request from 'supertest';
import { ApiError, ERROR_STATUS, type ErrorCode } from '../src/errors';
import { toApiError } from '../src/fabric/translate-error';
import { AUDITOR_KEY, bearer, buildApp } from './support/test-app';

const TX = 'd'.repeat(64);

function serviceError(code: GrpcStatus): ServiceError {
  return Object.assign(new Error('grpc failure'), { code, details: 'x', metadata: new Metadata() });
}

function details(message: string): { address: string; mspId: string; message: string }[] {
  return [{ address: 'peer0:7051', mspId: 'C440000MSP', message }];
}

describe('toApiError: the one translation of Fabric errors', () => {
  it.each([
    ['VALIDATION_FAILED', 400],
    ['FORBIDDEN', 403],
    ['NOT_FOUND', 404],
    ['CONFLICT', 409],
    ['INVALID_STATE', 409],
    ['DUPLICATE_EVIDENCE', 409],
    ['ACCOUNT_IN_TRANSFER', 409],
    ['ACCOUNT_CLOSED', 409],
    ['CODE_USED', 409],
    ['CODE_EXPIRED', 410],
  ] as const)('an EndorseError carrying HPF:%s keeps its code and status %i', (code, status) => {
    const err = new EndorseError({
      code: GrpcStatus.ABORTED,
      details: details(`chaincode response 500, HPF:${code}: amount: must be > 0`),
      cause: serviceError(GrpcStatus.ABORTED),
      transactionId: TX,
      message: 'failed to endorse',
    });
    const apiError = toApiError(err);
    expect(apiError).toMatchObject({ code, status, message: 'amount: must be > 0' });
    expect(apiError.cause).toBe(err);
  });

  it.each(['INVALID_STATE', 'NOT_FOUND'] as const)(
    'HPF:%s from only some of the named endorsers is marked endorser-behind; from all of them it is not',
    (code) => {
      const refusedBy = (mspIds: string[]): EndorseError =>
        new EndorseError({
          code: GrpcStatus.ABORTED,
          details: mspIds.map((mspId) => ({
            address: 'peer0:7051',
            mspId,
            message: `chaincode response 500, HPF:${code}: CONFIRM_OUT: not allowed when the transfer is REQUESTED`,
          })),
          cause: serviceError(GrpcStatus.ABORTED),
          transactionId: TX,
          message: 'failed to endorse',
        });
      const endorsers = ['C110000MSP', 'C440000MSP'];
      expect(toApiError(refusedBy(['C440000MSP']), 'C110000MSP', endorsers)).toMatchObject({
        code,
        retry: 'endorser-behind',
      });
      expect(toApiError(refusedBy(endorsers), 'C110000MSP', endorsers).retry).toBeUndefined();
      // Without the endorsers named (an evaluate), nothing can be said about disagreement.
      expect(toApiError(refusedBy(['C440000MSP']), 'C110000MSP').retry).toBeUndefined();
    },
  );

  it('a refusal that does not depend on a peer being behind is never retried', () => {
    const err = new EndorseError({
      code: GrpcStatus.ABORTED,
      details: details('chaincode response 500, HPF:DUPLICATE_EVIDENCE: evidence used at 310000'),
      cause: serviceError(GrpcStatus.ABORTED),
      transactionId: TX,
      message: 'failed to endorse',
    });
    expect(toApiError(err, 'C110000MSP', ['C110000MSP', 'C440000MSP']).retry).toBeUndefined();
  });

  it('an evaluate GatewayError carrying HPF:NOT_FOUND is NOT_FOUND', () => {
    const err = new GatewayError({
      code: GrpcStatus.UNKNOWN,
      details: [],
      cause: serviceError(GrpcStatus.UNKNOWN),
      message:
        'evaluate call to endorser returned error: chaincode response 500, HPF:NOT_FOUND: no transfer 1',
    });
    expect(toApiError(err)).toMatchObject({ code: 'NOT_FOUND', message: 'no transfer 1' });
  });

  it.each([
    [
      'a block above the height',
      'Failed to get block number 99999, error no such block number [99999] in index',
    ],
    ['an unknown transaction', 'Failed to get transaction with id aaaa, error entry not found in index'],
  ])("qscc on %s is NOT_FOUND (the peer's own words)", (_name, message) => {
    const err = new GatewayError({
      code: GrpcStatus.UNKNOWN,
      details: details(`chaincode response 500, ${message}`),
      cause: serviceError(GrpcStatus.UNKNOWN),
      message: `2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, ${message}`,
    });
    expect(toApiError(err)).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('an EndorseError without a chaincode code is ENDORSEMENT_FAILED and worth another endorsement set', () => {
    const err = new EndorseError({
      code: GrpcStatus.ABORTED,
      details: details('error validating proposal: access denied: channel [hpf] creator org unknown'),
      cause: serviceError(GrpcStatus.ABORTED),
      transactionId: TX,
    });
    expect(toApiError(err)).toMatchObject({
      code: 'ENDORSEMENT_FAILED',
      status: 502,
      retry: 'endorser-unavailable',
    });
  });

  /** What Fabric v3.1.1 answered in the growth benchmark for a fail right after its accept (reproduced). */
  it('endorsements whose payloads differ (an endorser behind) are 503 UNAVAILABLE, retried with the same set, never 502', () => {
    const err = new EndorseError({
      code: GrpcStatus.ABORTED,
      details: [
        { address: '127.0.0.1:22130', mspId: 'C440000MSP', message: 'ProposalResponsePayloads do not match' },
      ],
      cause: serviceError(GrpcStatus.ABORTED),
      transactionId: TX,
      message:
        '10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info',
    });
    const apiError = toApiError(err, 'C110000MSP', ['C110000MSP', 'C440000MSP']);
    expect(apiError).toMatchObject({ code: 'UNAVAILABLE', status: 503, retry: 'endorser-behind' });
    expect(apiError.unavailable).toBeUndefined();
    expect(apiError.cause).toBe(err);
  });

  it('an unreachable endorser is UNAVAILABLE', () => {
    const err = new EndorseError({
      code: GrpcStatus.UNAVAILABLE,
      details: [],
      cause: serviceError(GrpcStatus.UNAVAILABLE),
      transactionId: TX,
    });
    expect(toApiError(err)).toMatchObject({
      code: 'UNAVAILABLE',
      status: 503,
      retry: 'endorser-unavailable',
    });
  });

  /** What Fabric v3.1.1 answered when the org's chaincode server had been SIGKILLed (reproduced here). */
  const CHAINCODE_DOWN =
    'error in simulation: failed to execute transaction 8b9f: could not launch chaincode hpf_1:51ef: connection to hpf_1:51ef failed: error cannot create connection for hpf_1:51ef: error creating grpc connection to 127.0.0.1:25133: failed to create new connection: connection error: desc = "transport: error while dialing: dial tcp 127.0.0.1:25133: connect: connection refused"';

  it("the own organisation's chaincode server down is 503 UNAVAILABLE (own), never 502, and no other set is tried", () => {
    const err = new EndorseError({
      code: GrpcStatus.ABORTED,
      details: [{ address: '127.0.0.1:25130', mspId: 'C440000MSP', message: CHAINCODE_DOWN }],
      cause: serviceError(GrpcStatus.ABORTED),
      transactionId: TX,
      message:
        '10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info',
    });
    expect(toApiError(err, 'C440000MSP')).toMatchObject({
      code: 'UNAVAILABLE',
      status: 503,
      unavailable: 'own',
      retry: undefined,
    });
  });

  it("another organisation's chaincode server down is UNAVAILABLE and worth another endorsement set", () => {
    const err = new EndorseError({
      code: GrpcStatus.ABORTED,
      details: [{ address: '127.0.0.1:25100', mspId: 'RegulatorMSP', message: CHAINCODE_DOWN }],
      cause: serviceError(GrpcStatus.ABORTED),
      transactionId: TX,
    });
    expect(toApiError(err, 'C440000MSP')).toMatchObject({
      code: 'UNAVAILABLE',
      unavailable: undefined,
      retry: 'endorser-unavailable',
    });
  });

  it('an evaluate on the own peer whose chaincode server is down is UNAVAILABLE (own)', () => {
    const err = new GatewayError({
      code: GrpcStatus.ABORTED,
      details: [{ address: '127.0.0.1:25130', mspId: 'C440000MSP', message: CHAINCODE_DOWN }],
      cause: serviceError(GrpcStatus.ABORTED),
      message: '10 ABORTED: failed to evaluate transaction, see attached details for more info',
    });
    expect(toApiError(err, 'C440000MSP')).toMatchObject({ code: 'UNAVAILABLE', unavailable: 'own' });
  });

  it('a CommitStatusError is COMMIT_UNKNOWN with the txId', () => {
    const err = new CommitStatusError({
      code: GrpcStatus.DEADLINE_EXCEEDED,
      details: [],
      cause: serviceError(GrpcStatus.DEADLINE_EXCEEDED),
      transactionId: TX,
    });
    expect(toApiError(err)).toMatchObject({ code: 'COMMIT_UNKNOWN', status: 504, txId: TX });
  });

  it('a submit no orderer took (no quorum, or every orderer down) is UNAVAILABLE, not COMMIT_UNKNOWN', () => {
    const orderer = (message: string): { address: string; mspId: string; message: string } => ({
      address: '127.0.0.1:7050',
      mspId: 'OrdererMSP',
      message,
    });
    const err = new SubmitError({
      code: GrpcStatus.UNAVAILABLE,
      details: [
        orderer(
          'received unsuccessful response from orderer: status=SERVICE_UNAVAILABLE, info=no Raft leader',
        ),
        orderer(
          'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:7060: connect: connection refused"',
        ),
      ],
      cause: serviceError(GrpcStatus.UNAVAILABLE),
      transactionId: TX,
    });
    expect(toApiError(err)).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
  });

  it('a submit whose delivery is uncertain (deadline, broken stream) stays COMMIT_UNKNOWN with the txId', () => {
    const deadline = new SubmitError({
      code: GrpcStatus.DEADLINE_EXCEEDED,
      details: [],
      cause: serviceError(GrpcStatus.DEADLINE_EXCEEDED),
      transactionId: TX,
    });
    const broken = new SubmitError({
      code: GrpcStatus.UNAVAILABLE,
      details: [
        {
          address: '127.0.0.1:7050',
          mspId: 'OrdererMSP',
          message: 'rpc error: code = Unavailable desc = error reading from server: EOF',
        },
      ],
      cause: serviceError(GrpcStatus.UNAVAILABLE),
      transactionId: TX,
    });
    expect(toApiError(deadline)).toMatchObject({ code: 'COMMIT_UNKNOWN', status: 504, txId: TX });
    expect(toApiError(broken)).toMatchObject({ code: 'COMMIT_UNKNOWN', status: 504, txId: TX });
  });

  it.each([11, 12])('a CommitError with validation code %i is a retryable read conflict', (code) => {
    const err = new CommitError({ code: code as 11, transactionId: TX, message: 'conflict' });
    expect(toApiError(err)).toMatchObject({ retry: 'read-conflict', txId: TX });
  });

  it('a CommitError for a policy failure is ENDORSEMENT_FAILED with the txId, tried again like a read conflict', () => {
    // Fabric's answer for a key whose key-level policy an earlier transaction of the block set.
    const err = new CommitError({ code: 10, transactionId: TX, message: 'policy' });
    expect(toApiError(err)).toMatchObject({ code: 'ENDORSEMENT_FAILED', txId: TX, retry: 'read-conflict' });
  });

  it('any other invalid commit is ENDORSEMENT_FAILED and not tried again', () => {
    const err = new CommitError({ code: 9, transactionId: TX, message: 'bad rwset' });
    expect(toApiError(err)).toMatchObject({ code: 'ENDORSEMENT_FAILED', txId: TX, retry: undefined });
  });

  it('a bare gRPC UNAVAILABLE is UNAVAILABLE; anything else is INTERNAL', () => {
    expect(toApiError(serviceError(GrpcStatus.UNAVAILABLE))).toMatchObject({ code: 'UNAVAILABLE' });
    expect(toApiError(new TypeError('bug'))).toMatchObject({ code: 'INTERNAL', status: 500 });
  });
});

describe('every error code as application/problem+json', () => {
  const codes = Object.keys(ERROR_STATUS) as ErrorCode[];

  it.each(codes)('%s', async (code) => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Get', () => {
      throw new ApiError(code, 'chaincode text', { txId: code === 'COMMIT_UNKNOWN' ? TX : undefined });
    });
    const res = await request(app).get('/v1/withdrawals/W-1').set('Authorization', bearer(AUDITOR_KEY));
    expect(res.status).toBe(ERROR_STATUS[code]);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: `urn:hpf:problem:${code.toLowerCase().replace(/_/g, '-')}`,
      title: expect.any(String) as unknown,
      status: ERROR_STATUS[code],
      code,
      detail: expect.any(String) as unknown,
    });
    if (code === 'COMMIT_UNKNOWN') {
      expect(res.body).toMatchObject({ txId: TX });
    }
  });

  it('5xx hides internals', async () => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Get', () => {
      throw new Error('connect ECONNREFUSED 10.0.0.7:7051 secret-host');
    });
    const res = await request(app).get('/v1/withdrawals/W-1').set('Authorization', bearer(AUDITOR_KEY));
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: 'INTERNAL' });
    expect(JSON.stringify(res.body)).not.toContain('secret-host');
  });

  it('a 502 does not echo the internal message', async () => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Get', () => {
      throw new ApiError('ENDORSEMENT_FAILED', 'peer0.internal:7051 said no');
    });
    const res = await request(app).get('/v1/withdrawals/W-1').set('Authorization', bearer(AUDITOR_KEY));
    expect(res.status).toBe(502);
    expect(JSON.stringify(res.body)).not.toContain('peer0.internal');
  });
});
