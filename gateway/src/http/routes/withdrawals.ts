import { Router } from 'express';
import type { WithdrawalBody, WithdrawalService } from '../../services/withdrawal-service';
import { callerOf, requireOperator } from '../auth';
import { sendBatch, type ItemValidator } from '../batch';
import { pathParam, sendWrite } from './send';

/** /v1/withdrawals: validated by the OpenAPI document before they get here. */
export function withdrawalRoutes(withdrawals: WithdrawalService, validateItem: ItemValidator): Router {
  const router = Router();
  router.post('/v1/withdrawals/batch', requireOperator, async (req, res) => {
    const caller = callerOf(req);
    await sendBatch(req, res, (item, i) => {
      validateItem(item, i);
      return withdrawals.record(caller, item as WithdrawalBody);
    });
  });
  router.post('/v1/withdrawals/precheck', requireOperator, async (req, res) => {
    res.json(await withdrawals.precheck(callerOf(req), req.body as WithdrawalBody));
  });
  router.post('/v1/withdrawals', requireOperator, async (req, res) => {
    sendWrite(res, await withdrawals.record(callerOf(req), req.body as WithdrawalBody));
  });
  router.post('/v1/withdrawals/:id/reverse', requireOperator, async (req, res) => {
    const { reason } = req.body as { reason: string };
    sendWrite(res, await withdrawals.reverse(callerOf(req), pathParam(req.params, 'id'), reason));
  });
  router.get('/v1/withdrawals/:id', async (req, res) => {
    const centre = typeof req.query.centre === 'string' ? req.query.centre : undefined;
    res.json(await withdrawals.get(callerOf(req), pathParam(req.params, 'id'), centre));
  });
  return router;
}
