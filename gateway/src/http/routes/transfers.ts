import { Router } from 'express';
import type { ApiRequest, Schemas } from '../../api-types';

/** The operations of the transfer steps (POST /v1/transfers/{id}/<step>). */
type StepOperation =
  | 'acceptTransfer'
  | 'rejectTransfer'
  | 'confirmTransferOut'
  | 'disputeTransfer'
  | 'completeTransfer'
  | 'cancelTransfer'
  | 'failTransfer';
import type { StepInput, TransferListQuery, TransferService } from '../../services/transfer-service';
import { callerOf, requireOperator } from '../auth';
import { sendBatch, type ItemValidator } from '../batch';
import { logPersonalRead } from '../personal-read';
import { pathParam, sendWrite } from './send';

function queryString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** /v1/transfers: validated by the OpenAPI document before they get here. */
export function transferRoutes(
  transfers: TransferService,
  validateItem: ItemValidator<Schemas['TransferRequest']>,
): Router {
  const router = Router();
  router.post(
    '/v1/transfers/batch',
    requireOperator,
    async (req: ApiRequest<'requestTransferBatch'>, res) => {
      const caller = callerOf(req);
      await sendBatch(req, res, (item, i) => transfers.request(caller, validateItem(item, i)));
    },
  );
  router.post('/v1/transfers', requireOperator, async (req: ApiRequest<'requestTransfer'>, res) => {
    sendWrite(res, await transfers.request(callerOf(req), req.body));
  });
  /** A step's route: its body, typed by the step's operation in the document, becomes the step's input. */
  const stepRoute = <Op extends StepOperation>(
    step: string,
    input: (req: ApiRequest<Op>) => StepInput,
  ): void => {
    router.post(`/v1/transfers/:id/${step}`, requireOperator, async (req: ApiRequest<Op>, res) => {
      sendWrite(res, await transfers.step(callerOf(req), pathParam(req.params, 'id'), input(req)));
    });
  };
  stepRoute('accept', () => ({ step: 'accept' }));
  stepRoute<'rejectTransfer'>('reject', (req) => ({ step: 'reject', body: req.body }));
  stepRoute<'confirmTransferOut'>('confirm-out', (req) => ({ step: 'confirm-out', body: req.body }));
  stepRoute<'disputeTransfer'>('dispute', (req) => ({ step: 'dispute', body: req.body }));
  stepRoute<'completeTransfer'>('complete', (req) => ({ step: 'complete', body: req.body }));
  stepRoute('cancel', () => ({ step: 'cancel' }));
  stepRoute<'failTransfer'>('fail', (req) => ({ step: 'fail', body: req.body }));
  router.get('/v1/transfers/:id/personal-details', requireOperator, async (req, res) => {
    const caller = callerOf(req);
    const transferId = pathParam(req.params, 'id');
    const details = await transfers.personalDetails(caller, transferId);
    // Who read whose details, never the details themselves.
    logPersonalRead(req, res, caller, { transferId });
    res.json(details);
  });
  router.get('/v1/transfers/:id', async (req, res) => {
    res.json(await transfers.get(req.params.id));
  });
  router.get('/v1/transfers', async (req, res) => {
    const pageSize: unknown = req.query.pageSize;
    const query: TransferListQuery = {
      direction: req.query.direction === 'outgoing' ? 'outgoing' : 'incoming',
      status: queryString(req.query.status),
      pageSize: pageSize === undefined ? undefined : Number(pageSize), // coerced by the validator
      pageToken: queryString(req.query.pageToken),
      centre: queryString(req.query.centre),
    };
    res.json(await transfers.list(callerOf(req), query));
  });
  return router;
}
