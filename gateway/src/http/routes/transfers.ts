import { Router } from 'express';
import type {
  TransferListQuery,
  TransferRequestBody,
  TransferService,
  TransferStep,
} from '../../services/transfer-service';
import { callerOf, requireOperator } from '../auth';
import { sendBatch, type ItemValidator } from '../batch';
import { pathParam, sendWrite } from './send';

const STEPS: readonly TransferStep[] = [
  'accept',
  'reject',
  'confirm-out',
  'dispute',
  'complete',
  'cancel',
  'fail',
];

function queryString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** /v1/transfers: validated by the OpenAPI document before they get here. */
export function transferRoutes(transfers: TransferService, validateItem: ItemValidator): Router {
  const router = Router();
  router.post('/v1/transfers/batch', requireOperator, async (req, res) => {
    const caller = callerOf(req);
    await sendBatch(req, res, (item, i) => {
      validateItem(item, i);
      return transfers.request(caller, item as TransferRequestBody);
    });
  });
  router.post('/v1/transfers', requireOperator, async (req, res) => {
    sendWrite(res, await transfers.request(callerOf(req), req.body as TransferRequestBody));
  });
  for (const step of STEPS) {
    router.post(`/v1/transfers/:id/${step}`, requireOperator, async (req, res) => {
      const body = (req.body ?? {}) as Readonly<Record<string, unknown>>;
      sendWrite(res, await transfers.step(callerOf(req), pathParam(req.params, 'id'), step, body));
    });
  }
  router.get('/v1/transfers/:id/personal-details', requireOperator, async (req, res) => {
    const caller = callerOf(req);
    const transferId = pathParam(req.params, 'id');
    const details = await transfers.personalDetails(caller, transferId);
    // Who read whose details, never the details themselves.
    req.log.info(
      {
        event: 'personal-details-read',
        transferId,
        centre: caller.centreCode,
        keyId: caller.keyId,
        requestId: String(res.getHeader('X-Request-Id')),
      },
      'personal details read',
    );
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
