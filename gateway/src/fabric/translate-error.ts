import { status as GrpcStatus } from '@grpc/grpc-js';
import { CommitError, CommitStatusError, EndorseError, GatewayError } from '@hyperledger/fabric-gateway';
import { parseHpfErrorMessage } from '@hpf/chaincode/dist/domain';
import { peer } from '@hyperledger/fabric-protos';
import { ApiError, type ErrorCode } from '../errors';

const READ_CONFLICTS: readonly number[] = [
  peer.TxValidationCode.MVCC_READ_CONFLICT,
  peer.TxValidationCode.PHANTOM_READ_CONFLICT,
];

/** gRPC statuses meaning the peer was not reached (or did not answer) in time. */
const UNREACHABLE: readonly number[] = [GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED];

/**
 * qscc's words for a missing transaction or block ("entry not found in index", "no such block number
 * [9] in index" above the height); qscc is Fabric's, so it has no HPF code.
 */
const QSCC_NOT_FOUND = /not found|no such transaction|no such block/i;

interface ChaincodeFailure {
  readonly code: ErrorCode;
  readonly text: string;
}

/** The first `HPF:<CODE>: text` among the messages, parsed by the chaincode's own parser (one format, one parser). */
function chaincodeFailure(messages: readonly string[]): ChaincodeFailure | undefined {
  for (const message of messages) {
    const failure = parseHpfErrorMessage(message);
    if (failure !== undefined) {
      return failure;
    }
  }
  return undefined;
}

/**
 * What a peer says when it cannot run the chaincode at all (as opposed to the chaincode refusing):
 * Fabric v3.1's words when the org's chaincode server is down (SIGKILLed: "could not launch chaincode
 * … error creating grpc connection to 127.0.0.1:…: connect: connection refused"), hangs ("timeout
 * expired while executing transaction") or dies during a call ("chaincode stream terminated").
 */
const CHAINCODE_CANNOT_SERVE =
  /could not launch chaincode|error creating grpc connection|failed to create new connection|chaincode stream terminated|timeout expired while executing transaction|chaincode registration failed|connection refused/i;

/** Where an endorsement failed because some peer's chaincode server could not serve. */
interface AvailabilityFailure {
  /** True when it was this organisation's own peer (so no other endorsement set can help). */
  readonly own: boolean;
}

function availabilityFailure(
  err: GatewayError,
  ownMspId: string | undefined,
): AvailabilityFailure | undefined {
  const failing = err.details.filter((d) => CHAINCODE_CANNOT_SERVE.test(d.message));
  if (failing.length === 0) {
    return undefined;
  }
  return { own: ownMspId !== undefined && failing.some((d) => d.mspId === ownMspId) };
}

/** The text of a 503 for this organisation's chaincode server: /readyz and writes give it as the reason. */
export const OWN_CHAINCODE_DOWN =
  "this organisation's chaincode server cannot serve (its peer cannot reach it)";

function messagesOf(err: GatewayError): string[] {
  return [...err.details.map((d) => d.message), err.message];
}

function fromCommitError(err: CommitError): ApiError {
  const options = { txId: err.transactionId, cause: err };
  const code: number = err.code;
  if (READ_CONFLICTS.includes(code)) {
    return new ApiError('UNAVAILABLE', 'the ledger was busy with a concurrent update; try again', {
      ...options,
      retry: 'read-conflict',
    });
  }
  if (code === peer.TxValidationCode.ENDORSEMENT_POLICY_FAILURE) {
    // Also what Fabric answers, instead of MVCC_READ_CONFLICT, for a write of a key whose key-level
    // policy an earlier transaction of the same block set (two identical creations at once:
    // docs/decisions/0183-records-sealed-by-their-organisation.md). Tried again like a read conflict:
    // the retry reads the committed record; a write that really lacks an endorser fails again.
    return new ApiError('ENDORSEMENT_FAILED', 'the transaction was committed as invalid', {
      ...options,
      retry: 'read-conflict',
    });
  }
  return new ApiError('ENDORSEMENT_FAILED', 'the transaction was committed as invalid', options);
}

/**
 * What an orderer says when it did not take the transaction: it could not be reached at all
 * (dialling failed), or it answered with a non-success broadcast status (SERVICE_UNAVAILABLE when a
 * Raft orderer has no leader: no quorum).
 */
const NOT_TAKEN: readonly number[] = [GrpcStatus.UNAVAILABLE];
const ORDERER_REFUSED = /unsuccessful response from orderer|error while dialing|connection refused/i;

/**
 * A submit that no orderer took: the peer's gateway tried every orderer (UNAVAILABLE, "no orderers
 * could successfully process transaction") and each one either refused the connection or answered
 * with a failure status. Nothing was ordered, so it is 503 (retry later), not 504. Anything less
 * certain (a deadline, a stream broken after sending) stays COMMIT_UNKNOWN.
 */
function notOrdered(err: GatewayError): boolean {
  return (
    // fabric-gateway exports SubmitError as a type only: its name tells it apart.
    err.name === 'SubmitError' &&
    NOT_TAKEN.includes(err.code) &&
    err.details.length > 0 &&
    err.details.every((d) => ORDERER_REFUSED.test(d.message))
  );
}

/**
 * The answers that mean "try again later" rather than a verdict on the request: our own chaincode
 * server down (no other endorsement set can help: our peer is in all of them), no orderer took the
 * transaction, or another organisation's chaincode server cannot serve.
 */
function unavailableError(err: GatewayError, ownMspId: string | undefined): ApiError | undefined {
  const unavailable = availabilityFailure(err, ownMspId);
  if (unavailable?.own === true) {
    return new ApiError('UNAVAILABLE', OWN_CHAINCODE_DOWN, { cause: err, unavailable: 'own' });
  }
  if (notOrdered(err)) {
    return new ApiError('UNAVAILABLE', 'the ordering service has no quorum or is not reachable; try again', {
      cause: err,
    });
  }
  if (unavailable !== undefined) {
    return new ApiError('UNAVAILABLE', "another organisation's chaincode server cannot serve", {
      cause: err,
      retry: 'endorser-unavailable',
    });
  }
  return undefined;
}

/** Chaincode refusals that a peer without the latest block can give for a step another peer allows. */
const BEHIND_CODES: readonly ErrorCode[] = ['INVALID_STATE', 'NOT_FOUND'];

/**
 * Whether the endorsers disagreed: some of the `endorsers` refused with a state-dependent code while
 * the others endorsed (fabric-gateway lists only the failing endorsers). Seen in the growth benchmark's
 * load: confirm-out right after accept, endorsed by the source (which had committed the accept) and
 * refused by the destination's peer (which had not yet): INVALID_STATE "not allowed when REQUESTED".
 */
function endorsersDisagree(
  err: GatewayError,
  failure: ChaincodeFailure,
  endorsers: readonly string[] | undefined,
): boolean {
  if (!(err instanceof EndorseError) || !BEHIND_CODES.includes(failure.code) || endorsers === undefined) {
    return false;
  }
  const refusing = new Set(err.details.map((d) => d.mspId));
  return refusing.size > 0 && endorsers.some((mspId) => !refusing.has(mspId));
}

/**
 * Fabric's gateway (the peer's) when the named endorsers simulated the proposal to different results:
 * it compares the payloads and gives this detail for the endorser whose payload differs from the
 * first. Our chaincode is deterministic, so it means the endorsers read different committed states:
 * one had not the latest block yet. Seen in the growth benchmark's load: a fail step right after its
 * accept, endorsed by the source (which had committed the accept: ACCEPTED, so the account thaws) and
 * the destination's peer (which had not: REQUESTED, from which a fail is allowed too, with other
 * writes).
 */
const PAYLOADS_DIFFER = /ProposalResponsePayloads do not match/i;

function endorsersReadDifferentStates(err: GatewayError): boolean {
  return err instanceof EndorseError && err.details.some((d) => PAYLOADS_DIFFER.test(d.message));
}

function fromGatewayError(
  err: GatewayError,
  txId: string | undefined,
  ownMspId: string | undefined,
  endorsers: readonly string[] | undefined,
): ApiError {
  const failure = chaincodeFailure(messagesOf(err));
  if (failure) {
    return new ApiError(failure.code, failure.text, {
      txId,
      cause: err,
      retry: endorsersDisagree(err, failure, endorsers) ? 'endorser-behind' : undefined,
    });
  }
  const unavailable = unavailableError(err, ownMspId);
  if (unavailable !== undefined) {
    return unavailable;
  }
  if (err instanceof CommitStatusError || txId !== undefined) {
    // Submitted (or possibly submitted) but the outcome was not observed.
    return new ApiError('COMMIT_UNKNOWN', 'the commit outcome is not known yet; look up the transaction', {
      txId,
      cause: err,
    });
  }
  if (UNREACHABLE.includes(err.code)) {
    return new ApiError('UNAVAILABLE', "this organisation's peer did not answer in time", {
      cause: err,
      retry: 'endorser-unavailable',
      unavailable: 'own',
    });
  }
  if (endorsersReadDifferentStates(err)) {
    // The same endorsement set again after a short wait, as for a refusal by an endorser behind; after
    // the bound a retryable 503, never 502: the request was valid and nothing was submitted.
    return new ApiError(
      'UNAVAILABLE',
      'the endorsing peers answered from different states of the ledger (one had not the latest block yet); try again',
      { cause: err, retry: 'endorser-behind' },
    );
  }
  if (err instanceof EndorseError) {
    // The chaincode did not refuse: the endorsement set failed, so another set may succeed.
    return new ApiError('ENDORSEMENT_FAILED', 'the endorsing peers did not endorse the transaction', {
      cause: err,
      retry: 'endorser-unavailable',
    });
  }
  if (messagesOf(err).some((m) => QSCC_NOT_FOUND.test(m))) {
    return new ApiError('NOT_FOUND', 'no such transaction or block', { cause: err });
  }
  return new ApiError('ENDORSEMENT_FAILED', 'the peer refused the request', { cause: err });
}

function grpcCodeOf(err: unknown): number | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'number') {
    return err.code;
  }
  return undefined;
}

/**
 * The one place that turns a raw error from a Fabric call (fabric-gateway's EndorseError, SubmitError,
 * CommitStatusError, CommitError, GatewayError with `HPF:<CODE>: text` details, or a bare gRPC error)
 * into the gateway's {@link ApiError}. Chaincode codes keep their own status; anything else is mapped
 * by stage: not endorsed → 502, peer unreachable → 503, submitted but not seen committed → 504.
 * A peer that cannot run the chaincode at all (its chaincode server is down) is 503 UNAVAILABLE, never
 * 502: marked `unavailable: 'own'` when it is this organisation's (`ownMspId`) peer. With the
 * `endorsers` a proposal named, a state-dependent refusal by only some of them is marked
 * `retry: 'endorser-behind'`; so are endorsements whose payloads differ (503 UNAVAILABLE once the
 * retries are spent).
 */
export function toApiError(err: unknown, ownMspId?: string, endorsers?: readonly string[]): ApiError {
  if (err instanceof ApiError) {
    return err;
  }
  if (err instanceof CommitError) {
    return fromCommitError(err);
  }
  if (err instanceof GatewayError) {
    const txId =
      'transactionId' in err && typeof err.transactionId === 'string' ? err.transactionId : undefined;
    return fromGatewayError(err, err instanceof EndorseError ? undefined : txId, ownMspId, endorsers);
  }
  const code = grpcCodeOf(err);
  if (code !== undefined && UNREACHABLE.includes(code)) {
    return new ApiError('UNAVAILABLE', "this organisation's peer is not reachable", {
      cause: err,
      unavailable: 'own',
    });
  }
  return new ApiError('INTERNAL', 'unexpected error', { cause: err });
}
