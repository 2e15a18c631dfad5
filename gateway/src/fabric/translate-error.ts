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

/** qscc's words for a missing transaction or block; qscc is Fabric's, so it has no HPF code. */
const QSCC_NOT_FOUND = /not found|no such transaction|entry not found/i;

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

function fromGatewayError(err: GatewayError, txId: string | undefined): ApiError {
  const failure = chaincodeFailure(messagesOf(err));
  if (failure) {
    return new ApiError(failure.code, failure.text, { txId, cause: err });
  }
  if (notOrdered(err)) {
    return new ApiError('UNAVAILABLE', 'the ordering service has no quorum or is not reachable; try again', {
      cause: err,
    });
  }
  if (err instanceof CommitStatusError || txId !== undefined) {
    // Submitted (or possibly submitted) but the outcome was not observed.
    return new ApiError('COMMIT_UNKNOWN', 'the commit outcome is not known yet; look up the transaction', {
      txId,
      cause: err,
    });
  }
  if (UNREACHABLE.includes(err.code)) {
    return new ApiError('UNAVAILABLE', 'the peer did not answer in time', {
      cause: err,
      retry: 'endorser-unavailable',
    });
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
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) {
    return err;
  }
  if (err instanceof CommitError) {
    return fromCommitError(err);
  }
  if (err instanceof GatewayError) {
    const txId =
      'transactionId' in err && typeof err.transactionId === 'string' ? err.transactionId : undefined;
    return fromGatewayError(err, err instanceof EndorseError ? undefined : txId);
  }
  const code = grpcCodeOf(err);
  if (code !== undefined && UNREACHABLE.includes(code)) {
    return new ApiError('UNAVAILABLE', 'the peer is not reachable', { cause: err });
  }
  return new ApiError('INTERNAL', 'unexpected error', { cause: err });
}
